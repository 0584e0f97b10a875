"""Independent evaluation corpora for the redaction engine.

Three generators written separately from each other and from the detectors
(``gen_chat``: prompts, answers and scratchpads in en/de/fr/es; ``gen_ops``: access logs,
tracebacks, ``.env``, YAML, curl commands and app logs; ``gen_tools``: tool-call JSON,
JSON-escaped code and URL-encoded query strings). Each document carries the character
spans of its sensitive values and of its hard negatives (ids, hashes, versions,
timestamps that must survive). ``corpus.build(split)`` returns the ``dev`` split (for
tuning) or the ``heldout`` split (different seed and a third of the templates that
``dev`` never uses); only held-back figures are reported.
"""
