"""The redaction engine: run the detectors, resolve overlaps, replace with keyed tokens."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from time import perf_counter

from glassbox.redaction._clock import overdue, paused
from glassbox.redaction._detector import Context, Detector
from glassbox.redaction._keys import (
    check_key_id,
    default_key_id,
    key_from_env,
    load_or_create_key,
    resolve_key_file,
)
from glassbox.redaction._personal import DOB_FIELD
from glassbox.redaction._pii import PII_DETECTORS
from glassbox.redaction._prefilter import PrefilterEngine, build_prefilter
from glassbox.redaction._secrets import SECRET_DETECTORS, secret_value_ok
from glassbox.redaction._types import Finding

__all__ = [
    "DEFAULT_DETECTORS",
    "ERROR_MARKER",
    "TIMEOUT_MARKER",
    "TOO_LONG_MARKER",
    "Redactor",
    "build_redactor",
]

#: Detectors in priority order: on equal-length overlaps the earlier one wins.
DEFAULT_DETECTORS: tuple[Detector, ...] = SECRET_DETECTORS + PII_DETECTORS

#: Replaces a whole input when the engine failed on it (fail closed).
ERROR_MARKER = "<REDACTED:error>"
#: Replaces a whole input whose scan exceeded the time budget.
TIMEOUT_MARKER = "<REDACTED:timeout>"
#: Replaces a whole input longer than ``max_chars``.
TOO_LONG_MARKER = "<REDACTED:too_long>"

_TOKEN_HEX = 16

_SECRET_FIELD = re.compile(
    r"(?:^| )(?:password|passwd|passphrase|pwd|pass|secret|token|api ?key|apikey|access ?key"
    r"|auth(?:orization)?|private ?key|signing ?key|client ?secret|credentials?|cookie"
    r"|session(?: ?id)?)(?: |$)"
    r"|(?:secret|password|passwd|apikey|token)$"
)
_NOT_SECRET_FIELD = re.compile(r"(?:tokens?|max tokens|token (?:count|type|usage|limit|budget))$")
_PASSWORD_FIELD = re.compile(r"(?:^| )(?:password|passwd|passphrase|pwd|pass)(?: |$)")
_PERSON_FIELD = re.compile(
    r"^(?:full|first|last|given|family|middle|customer|patient|contact|person|sender|recipient)"
    r" ?name$|^(?:surname|person|vorname|nachname|prénom|prenom|nom de famille"
    r"|nombre completo|apellidos?)$"
)
_NAME_PART = "[A-Za-zÀ-ÖØ-öø-ÿ'\\-.]{0,30}"
#: A capitalised first word, then up to four words (particles such as "de la" allowed).
_PERSON_VALUE = re.compile(rf"^[A-ZÀ-ÖØ-Þ]{_NAME_PART}(?: [A-Za-zÀ-ÖØ-öø-ÿ]{_NAME_PART}){{0,4}}$")
_DOB_FIELD_NAME = re.compile(r"^(?:dob|date of birth|birth ?date|birthday|born(?: on)?)$")
_ADDRESS_FIELD = re.compile(r"^(?:(?:street|home|shipping|billing|postal|mailing) ?)?address$")
_ADDRESS_VALUE = re.compile(r"\d{1,6}[A-Za-z]? [A-Za-z]")
#: Fires on every field name that has a whole-value rule in ``_whole_value_type``.
_FIELD_TRIGGER = (
    r"(?i)(?:pass(?:word|wd|phrase)?|pwd|token|key|name)(?:[^a-z0-9]|$)"
    r"|(?i:secret|auth|credential|cookie|session|person|dob|birth|born|address"
    r"|prénom|prenom|nom de famille|nombre completo|apellido)"
)


class Redactor:
    """Finds personal data and secrets in text and replaces them with keyed tokens.

    A value is replaced by ``<TYPE:KID.HEX>``: ``KID`` is the key id and ``HEX`` the first
    16 hex digits of HMAC-SHA256(key, ``TYPE:normalised value``). Equal values give equal
    tokens under one key, so redacted logs stay joinable; without the key nothing can be
    recovered. Build instances with :func:`build_redactor`; they are thread-safe.

    Args:
        key: HMAC key (at least 16 bytes).
        key_id: Identifier of ``key`` embedded in every token (rotation).
        on_redaction: Called with the entity type once per replaced value (and with
            ``ERROR``/``TIMEOUT``/``TOO_LONG`` when a whole input is dropped).
        time_budget: Seconds one input may take before it is dropped, garbage-collection
            pauses not counted.
        max_chars: Inputs longer than this are dropped without scanning.
        detectors: Detectors in priority order.
        prefilter: Engine for the one-pass prefilter (``auto``: ``re2`` when
            ``google-re2`` is installed, else ``re``; ``none`` disables it).
    """

    def __init__(
        self,
        *,
        key: bytes,
        key_id: str,
        on_redaction: Callable[[str], None] | None = None,
        time_budget: float = 0.5,
        max_chars: int = 4_000_000,
        detectors: Iterable[Detector] = DEFAULT_DETECTORS,
        prefilter: PrefilterEngine = "auto",
    ) -> None:
        if len(key) < 16:
            raise ValueError(f"redaction key is {len(key)} bytes; use at least 16")
        self.key_id = check_key_id(key_id)
        self._on_redaction = on_redaction
        self._budget = time_budget
        self._max_chars = max_chars
        self._detectors = tuple(detectors)
        self._prefilter, self.prefilter_engine = build_prefilter(
            [d.trigger for d in self._detectors] + [_FIELD_TRIGGER], prefilter
        )
        self._field_index = len(self._detectors)
        mac = hmac.new(key, digestmod=hashlib.sha256)

        @lru_cache(maxsize=8192)
        def token(entity_type: str, normalised: str) -> str:
            h = mac.copy()
            h.update(f"{entity_type}:{normalised}".encode("utf-8", "surrogatepass"))
            return f"<{entity_type}:{key_id}.{h.hexdigest()[:_TOKEN_HEX]}>"

        self.token: Callable[[str, str], str] = token
        """``token(entity_type, normalised)``: the replacement for one value."""

    def findings(self, text: str, *, field: str = "") -> list[Finding]:
        """Every value that :meth:`redact` would replace, in text order.

        Overlaps are already resolved: secrets win over personal data, then the longest
        match, then the detector listed first.

        Args:
            text: Text to scan.
            field: Name of the structured field holding ``text`` (a context hint).

        Returns:
            Non-overlapping findings sorted by start offset.

        Raises:
            TimeoutError: The scan exceeded the time budget.
        """
        paused_at_start = paused()
        deadline = perf_counter() + self._budget
        view = escape_view(text)
        ctx = Context(view, field, text)
        # The normalised field name ("national id") is scanned with the text, so that
        # context-word triggers fire for a telling field name too.
        hits = self._prefilter(f"{ctx.field}\n{view}" if field else view)
        if not hits or hits[0] == self._field_index:  # sorted: the field trigger is last
            return []
        detectors = self._detectors
        found: list[Finding] = []
        for i in hits:
            if i == self._field_index:
                continue
            found.extend(detectors[i].find(ctx, deadline, paused_at_start))
            if perf_counter() > deadline and overdue(deadline, paused_at_start):
                raise TimeoutError(f"redaction exceeded its {self._budget}s budget")
        return _resolve(found, len(text))

    def might_contain(self, text: str) -> bool:
        """Whether any detector, or a field name with whole-value rules, could fire on ``text``.

        ``False`` means :meth:`redact` would return ``text`` unchanged and no JSON field
        inside it needs :meth:`redact_field`; used to pass clean JSON lines through.
        """
        return bool(self._prefilter(text))

    def redact(self, text: str) -> str:
        """``text`` with every finding replaced by its token. Never raises.

        Fails closed: on an internal error, an over-long input or an exceeded time
        budget the whole text is replaced by a ``<REDACTED:…>`` marker.
        """
        return self._redact(text, "")

    def redact_field(self, field: str, value: str) -> str:
        """Redact ``value`` knowing the name of the field that holds it. Never raises.

        The field name is context: ``{"phone": "4155550132"}`` is a phone number even
        without a context word, ``{"password": "hunter22"}`` is a secret, and
        ``{"full_name": "Ada Lovelace"}`` is a person.

        Args:
            field: Log-event key or JSON field name.
            value: The string value.

        Returns:
            The redacted value.
        """
        try:
            whole = _whole_value_type(field, value)
        except Exception:
            return self._fail("ERROR", ERROR_MARKER)
        if whole is not None:
            self._count(whole)
            return self.token(whole, value.strip())
        return self._redact(value, field)

    def redact_attributes(self, attributes: Mapping[str, object]) -> dict[str, object]:
        """Redact span or log-record attributes, the key of each being its context.

        Strings are redacted with :meth:`redact_field`; lists and tuples of strings
        element by element (as a tuple, the form OpenTelemetry stores); numbers, booleans
        and ``None`` are kept. Any other value is replaced by its redacted ``str()``.
        Never raises: a value whose redaction fails becomes ``<REDACTED:error>``.

        Args:
            attributes: OpenTelemetry-style attributes (``span.attributes``, an event's
                attributes, a log record's attributes).

        Returns:
            A new dict with the same keys.
        """
        out: dict[str, object] = {}
        for key, value in attributes.items():
            try:
                out[key] = self._attribute(str(key), value)
            except Exception:
                out[key] = self._fail("ERROR", ERROR_MARKER)
        return out

    def _attribute(self, key: str, value: object) -> object:
        if isinstance(value, str):
            return self.redact_field(key, value)
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, list | tuple):
            return tuple(self.redact_field(key, v) if isinstance(v, str) else v for v in value)
        return self.redact_field(key, str(value))

    def _redact(self, text: str, field: str) -> str:
        if len(text) < 4:
            return text
        if len(text) > self._max_chars:
            return self._fail("TOO_LONG", TOO_LONG_MARKER)
        try:
            found = self.findings(text, field=field)
            if not found:
                return text
            parts: list[str] = []
            pos = 0
            for f in found:
                parts.append(text[pos : f.start])
                parts.append(self.token(f.entity_type, f.normalised))
                pos = f.end
            parts.append(text[pos:])
        except TimeoutError:
            return self._fail("TIMEOUT", TIMEOUT_MARKER)
        except Exception:
            return self._fail("ERROR", ERROR_MARKER)
        for f in found:
            self._count(f.entity_type)
        return "".join(parts)

    def _count(self, entity_type: str) -> None:
        if self._on_redaction is not None:
            with contextlib.suppress(Exception):  # a broken counter must not break the caller
                self._on_redaction(entity_type)

    def _fail(self, kind: str, marker: str) -> str:
        self._count(kind)
        return marker


def _whole_value_type(field: str, value: str) -> str | None:
    """The entity type of a whole field value implied by its field name, if any."""
    name = field.lower().replace("_", " ").replace("-", " ").strip()
    stripped = value.strip()
    if not name or not stripped:
        return None
    if _SECRET_FIELD.search(name) and not _NOT_SECRET_FIELD.search(name):
        if " " in stripped:
            return None  # "Bearer …", prose: leave it to the detectors
        if secret_value_ok(stripped, password=_PASSWORD_FIELD.search(name) is not None):
            return "SECRET"
        return None
    if _PERSON_FIELD.match(name):
        return "PERSON" if _PERSON_VALUE.match(stripped) else None
    if _DOB_FIELD_NAME.match(name):
        return "DATE_OF_BIRTH" if DOB_FIELD.match(stripped) else None
    if _ADDRESS_FIELD.match(name):
        return "STREET_ADDRESS" if _ADDRESS_VALUE.match(stripped) else None
    return None


def _resolve(found: list[Finding], length: int) -> list[Finding]:
    """Keep a deterministic non-overlapping subset: secrets first, then longest, then first.

    Linear in the input: claimed characters are marked in a byte mask, so testing a
    finding costs its own length. One detector's findings never overlap each other,
    so all tests together cost at most (number of detectors) x ``length``.
    """
    if len(found) <= 1:
        return found
    ranked = sorted(found, key=lambda f: (not f.is_secret, f.start - f.end))
    claimed = bytearray(length)
    kept: list[Finding] = []
    for f in ranked:
        if claimed.find(1, f.start, f.end) < 0:
            claimed[f.start : f.end] = b"\x01" * (f.end - f.start)
            kept.append(f)
    kept.sort(key=lambda f: f.start)
    return kept


#: Escaped backslashes first, so that ``\\\\n`` reads as a backslash and an ``n``.
_ESCAPES = (("\\\\", "  "), ('\\"', ' "'), ("\\n", "  "), ("\\t", "  "), ("\\r", "  "))


def escape_view(text: str) -> str:
    """``text`` with JSON/C string escapes blanked out, keeping every offset.

    ``\\n``, ``\\t``, ``\\r`` and ``\\\\`` become two spaces and ``\\"`` becomes ``' "'``,
    so a secret written inside an escaped string (``key=\\"abc…\\"``, ``…\\nAKIA…``) has
    the same boundaries as in plain text and a finding never swallows the backslash of
    an escaped closing quote. Offsets are unchanged, so findings apply to ``text``.
    Plain ``str.replace`` passes (no per-escape Python call) keep this linear and cheap.
    """
    if "\\" not in text:
        return text
    for escape, blank in _ESCAPES:
        text = text.replace(escape, blank)
    return text


def build_redactor(
    *,
    key: bytes | None = None,
    key_file: str | os.PathLike[str] | None = None,
    key_id: str | None = None,
    on_redaction: Callable[[str], None] | None = None,
    time_budget: float = 0.5,
    max_chars: int = 4_000_000,
) -> Redactor:
    """Build a :class:`Redactor` with this deployment's key.

    The key comes from, in order: ``key``; ``key_file``; ``$GLASSBOX_REDACTION_KEY``
    (hex); the file named by ``$GLASSBOX_REDACTION_KEY_FILE``, else
    ``.glassbox/redaction.key``. A missing key file is generated once with mode 0600.

    Args:
        key: HMAC key bytes (at least 16).
        key_file: Hex key file to read or create.
        key_id: Key identifier embedded in tokens; defaults to a 4-hex fingerprint of
            the key. Set it (e.g. ``"k2"``) when rotating keys.
        on_redaction: Called with the entity type once per replaced value.
        time_budget: Seconds one input may take before it is replaced by a marker
            (garbage-collection pauses do not count).
        max_chars: Inputs longer than this are replaced by a marker without scanning.

    Returns:
        A ready redactor.

    Raises:
        ValueError: The configured key, key file content or key id is invalid.
        OSError: The key file can neither be read nor created.
    """
    if key is None and key_file is None:
        key = key_from_env()
    if key is None:
        key = load_or_create_key(resolve_key_file(key_file))
    return Redactor(
        key=key,
        key_id=key_id if key_id is not None else default_key_id(key),
        on_redaction=on_redaction,
        time_budget=time_budget,
        max_chars=max_chars,
    )
