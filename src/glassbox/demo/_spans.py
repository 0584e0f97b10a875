"""The span tree of one editor run, from the spans Glassbox keeps in process."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from glassbox.demo._stats import SpanRow
from glassbox.semconv import Attr

__all__ = ["span_tree"]


def span_tree(spans: Iterable[Any], root_span_id: int) -> list[SpanRow]:
    """Flatten the subtree under ``root_span_id`` depth-first, children by start time.

    Args:
        spans: Finished OpenTelemetry ``ReadableSpan`` objects (any order, any traces).
        root_span_id: The span id of the subtree's root.

    Returns:
        One row per span, the root first; empty when the root is not among ``spans``.
    """
    by_id: dict[int, Any] = {}
    children: dict[int, list[Any]] = {}
    for span in spans:
        span_id = span.context.span_id
        by_id[span_id] = span
        if span.parent is not None:
            children.setdefault(span.parent.span_id, []).append(span)
    root = by_id.get(root_span_id)
    if root is None:
        return []
    rows: list[SpanRow] = []
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        span, depth = stack.pop()
        rows.append(_row(span, depth))
        kids = sorted(children.get(span.context.span_id, ()), key=lambda s: s.start_time or 0)
        stack.extend((kid, depth + 1) for kid in reversed(kids))
    return rows


def _row(span: Any, depth: int) -> SpanRow:
    attrs = span.attributes or {}
    duration = ((span.end_time or 0) - (span.start_time or 0)) / 1e9
    cost = attrs.get(Attr.COST_USD)
    return SpanRow(
        depth=depth,
        name=span.name,
        duration=max(duration, 0.0),
        model=str(attrs.get(Attr.REQUEST_MODEL, "")),
        input_tokens=int(attrs.get(Attr.INPUT_TOKENS, 0) or 0),
        output_tokens=int(attrs.get(Attr.OUTPUT_TOKENS, 0) or 0),
        cost=float(cost) if isinstance(cost, int | float) else None,
        error=str(attrs.get(Attr.ERROR_TYPE, "")),
    )
