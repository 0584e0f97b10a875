"""The contract check: every metric and label the mixin queries must really exist.

Every PromQL expression in every generated dashboard panel and rule is parsed with a
real PromQL parser (``promql-parser``) and walked. Each selector's metric must be exposed
by the SDK (as seen in a real exposition), produced by a recording rule of the mixin, or
declared external (:data:`glassbox.mixin.EXTERNAL_METRICS`); each label used in a matcher,
``by``/``without``, ``on``/``ignoring``/``group_left`` or ``label_replace`` must exist on
what it is applied to. Violations name the panel or rule.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import promql_parser as pp
from prometheus_client.parser import text_string_to_metric_families

from glassbox import promql
from glassbox.mixin import EXTERNAL_METRICS, Mixin
from glassbox.promql import TARGET_LABELS

__all__ = [
    "GRAFANA_VARIABLES",
    "Query",
    "Violation",
    "check_contract",
    "exposition_labels",
    "mixin_queries",
    "substitute",
]

#: Values the contract check gives Grafana's variables before parsing a panel query.
GRAFANA_VARIABLES: dict[str, str] = {
    "$__rate_interval": "1m",
    "$__interval": "15s",
    "$__range_s": "3600",
    "$__range": "1h",
    "$env": ".*",
    "$service": ".*",
}


@dataclass(frozen=True)
class Query:
    """One PromQL expression and where it comes from."""

    where: str
    expr: str
    record: str | None = None
    static_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Violation:
    """A name the mixin queries that does not exist."""

    where: str
    message: str
    expr: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}\n    {self.expr}"


def substitute(expr: str, variables: Mapping[str, str] = GRAFANA_VARIABLES) -> str:
    """Replace Grafana variables in ``expr`` (longest names first)."""
    return promql.substitute(expr, variables)


def exposition_labels(text: str) -> dict[str, frozenset[str]]:
    """Sample name → label names, from a Prometheus text exposition."""
    out: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, set()).update(sample.labels)
    return {name: frozenset(labels) for name, labels in out.items()}


def mixin_queries(mixin: Mixin) -> list[Query]:
    """Every PromQL expression of ``mixin``: rules first (in order), then panels."""
    out: list[Query] = []
    for group in mixin.recording:
        for rule in group["rules"]:
            where = f"recording rule {rule['record']!r} (group {group['name']})"
            out.append(Query(where, rule["expr"], rule["record"], tuple(rule.get("labels", {}))))
    for group in mixin.alerting:
        for rule in group["rules"]:
            severity = rule["labels"]["severity"]
            out.append(
                Query(f"alert {rule['alert']!r} ({severity}, group {group['name']})", rule["expr"])
            )
    for board in mixin.dashboards.values():
        for panel in _panels(board):
            for target in panel.get("targets") or []:
                where = (
                    f"dashboard {board['title']!r} panel {panel['title']!r} query {target['refId']}"
                )
                out.append(Query(where, target["expr"]))
    return out


def _panels(board: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in board.get("panels", []):
        yield panel
        yield from panel.get("panels") or []


class _AnyLabels(frozenset[str]):
    """The labels of an unknown metric: already reported, so any label is accepted."""

    def __contains__(self, item: object) -> bool:
        return True


_Kind = tuple[str, frozenset[str]]  # ("vector" | "scalar" | "string", label names)
_SCALAR: _Kind = ("scalar", frozenset())


class _Checker:
    def __init__(
        self, exposed: Mapping[str, frozenset[str]], recorded: Mapping[str, frozenset[str]]
    ) -> None:
        self.exposed = exposed
        self.recorded = recorded
        self.errors: list[str] = []

    def labels(self, node: Any) -> _Kind:
        kind = type(node).__name__
        if kind == "VectorSelector":
            return self._selector(node)
        if kind == "MatrixSelector":
            return self._selector(node.vector_selector)
        if kind in ("ParenExpr", "UnaryExpr", "SubqueryExpr"):
            return self.labels(node.expr)
        if kind == "NumberLiteral":
            return _SCALAR
        if kind == "StringLiteral":
            return ("string", frozenset())
        if kind == "AggregateExpr":
            return self._aggregate(node)
        if kind == "Call":
            return self._call(node)
        if kind == "BinaryExpr":
            return self._binary(node)
        raise TypeError(f"unexpected PromQL node {kind}")  # pragma: no cover

    def _selector(self, node: Any) -> _Kind:
        name = node.name
        for matcher in node.matchers.matchers:
            if matcher.name == "__name__":
                name = matcher.value
        if name in self.recorded:
            available = self.recorded[name]
        elif name in self.exposed:
            available = self.exposed[name] | TARGET_LABELS
        elif name in EXTERNAL_METRICS:
            available = EXTERNAL_METRICS[name] | TARGET_LABELS
        else:
            self.errors.append(
                f"metric {name!r} is not exposed by the SDK, not recorded by a rule and not declared external"  # noqa: E501
            )
            return ("vector", _AnyLabels())
        for matcher in node.matchers.matchers:
            if matcher.name != "__name__" and matcher.name not in available:
                self.errors.append(
                    f"label {matcher.name!r} does not exist on {name!r} (it has {sorted(available)})"  # noqa: E501
                )
        return ("vector", available)

    def _require(self, labels: list[str], available: frozenset[str], what: str) -> None:
        for label in labels:
            if label not in available:
                self.errors.append(
                    f"{what} label {label!r} is not on the series it applies to ({sorted(available)})"  # noqa: E501
                )

    def _aggregate(self, node: Any) -> _Kind:
        _, inner = self.labels(node.expr)
        op = str(node.op)
        if op in ("topk", "bottomk", "limitk", "limit_ratio"):
            return ("vector", inner)
        if op == "count_values" and isinstance(node.param, pp.StringLiteral):
            inner = inner | {node.param.val}
        modifier = node.modifier
        if modifier is None:
            return ("vector", frozenset())
        self._require(list(modifier.labels), inner, f"{op} by/without")
        if modifier.type == pp.AggModifierType.By:
            return ("vector", frozenset(modifier.labels))
        return ("vector", inner - set(modifier.labels))

    def _call(self, node: Any) -> _Kind:
        name = node.func.name
        args = [self.labels(a) for a in node.args]
        if name == "label_replace":
            _, inner = args[0]
            dst, src = node.args[1].val, node.args[3].val
            self._require([src] if src else [], inner, "label_replace source")
            return ("vector", inner | {dst})
        if name == "label_join":  # missing source labels join as "": a documented fallback
            return ("vector", args[0][1] | {node.args[1].val})
        if name == "histogram_quantile":
            _, inner = args[1]
            self._require(["le"], inner, "histogram_quantile")
            return ("vector", inner - {"le"})
        if node.func.return_type == pp.ValueType.Scalar:
            return _SCALAR
        vectors = [labels for kind, labels in args if kind == "vector"]
        if name in ("absent", "absent_over_time", "vector") or not vectors:
            return ("vector", frozenset())
        return ("vector", vectors[0])

    def _binary(self, node: Any) -> _Kind:
        lkind, lhs = self.labels(node.lhs)
        rkind, rhs = self.labels(node.rhs)
        if lkind != "vector":
            return (rkind, rhs)
        if rkind != "vector":
            return (lkind, lhs)
        op = str(node.op)
        modifier = node.modifier
        matching = modifier.matching if modifier is not None else None
        if matching is not None and matching.type == pp.LabelModifierType.Include:
            self._require(list(matching.labels), lhs, f"'{op} on'")
            self._require(list(matching.labels), rhs, f"'{op} on'")
        if modifier is not None and modifier.group_labels:
            one_side = rhs if modifier.card == pp.VectorMatchCardinality.ManyToOne else lhs
            self._require(list(modifier.group_labels), one_side, "group_left/group_right")
        if op == "or":  # either side's series; an unknown side (reported) may have any label
            if isinstance(lhs, _AnyLabels) or isinstance(rhs, _AnyLabels):
                return ("vector", _AnyLabels())
            return ("vector", lhs | rhs)
        if modifier is not None and modifier.card == pp.VectorMatchCardinality.OneToMany:
            return ("vector", rhs)
        return ("vector", lhs)


def check_contract(mixin: Mixin, exposition: str | Mapping[str, frozenset[str]]) -> list[Violation]:
    """Check every query of ``mixin`` against an exposition; return the violations.

    Args:
        mixin: The rendered mixin.
        exposition: The SDK's exposition text, or its :func:`exposition_labels`.

    Returns:
        One :class:`Violation` per missing metric or label, naming the panel or rule.
    """
    exposed = exposition_labels(exposition) if isinstance(exposition, str) else exposition
    recorded: dict[str, frozenset[str]] = {}
    violations: list[Violation] = []
    for query in mixin_queries(mixin):
        checker = _Checker(exposed, recorded)
        try:
            tree = pp.parse(substitute(query.expr))
        except (ValueError, RuntimeError) as exc:
            violations.append(Violation(query.where, f"does not parse: {exc}", query.expr))
            continue
        _, labels = checker.labels(tree)
        violations.extend(Violation(query.where, error, query.expr) for error in checker.errors)
        if query.record is not None:
            recorded[query.record] = (
                recorded.get(query.record, frozenset()) | labels | set(query.static_labels)
            )
    return violations
