"""How logs are routed and labelled in the production stack (shared by the Collector,
Loki and Grafana configurations).

The SDK exports log records over OTLP with their trace and span ids, severity, event
name and fields; the Collector turns the few low-cardinality values into Loki labels,
leaves everything else (ids, fields) as structured metadata, and sends the restricted
raw stream to its own tenant.
"""

from __future__ import annotations

__all__ = [
    "LOG_LABEL_ATTRIBUTES",
    "LOKI_INDEX_LABELS",
    "LOKI_RAW_TENANT",
    "LOKI_TENANT",
    "RAW_RETENTION",
    "RAW_STREAM_ATTRIBUTE",
]

#: Loki tenants: every log stream, and the restricted raw stream (unredacted content,
#: short retention, no Grafana data source provisioned for it).
LOKI_TENANT = "glassbox"
LOKI_RAW_TENANT = "glassbox-raw"
#: Retention of the raw tenant (the normal streams keep 31 days).
RAW_RETENTION = "24h"
#: Resource attribute that marks a record of the raw stream (set by the SDK's raw exporter).
RAW_STREAM_ATTRIBUTE = "glassbox.stream"
#: Per-record attributes the Collector promotes to the resource so that Loki indexes them:
#: the low-cardinality ones (a level, a team, a model family, a user class), never ids.
LOG_LABEL_ATTRIBUTES = ("level", "team", "gen_ai.model.family", "user.class")
#: Resource attributes Loki indexes as labels (Loki turns ``.`` into ``_``): with the
#: promoted ones above, ``service_name``, ``env``, ``level``, ``team``,
#: ``gen_ai_model_family`` and ``user_class``. Everything else — trace and span ids,
#: request ids, the event's fields — is structured metadata.
LOKI_INDEX_LABELS = ("service.name", "env", *LOG_LABEL_ATTRIBUTES)
