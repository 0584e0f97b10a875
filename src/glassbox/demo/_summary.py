"""The end-of-run summary: what the newsroom did, what broke, what caught it, how fast."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from glassbox import semconv as sc
from glassbox.demo._alerts import DETECTS, UNEXPECTED, FiredAlert
from glassbox.demo._options import format_duration
from glassbox.demo._scenarios import DETECTION_LIMIT, DETECTION_TARGET
from glassbox.demo._stats import STAGES, SpanRow

__all__ = ["InjectionReport", "ModelUsage", "Summary", "llm_usage", "redaction_counts"]


@dataclass(frozen=True)
class ModelUsage:
    """LLM calls to one provider/model during the run."""

    provider: str
    model: str
    calls: int = 0
    errors: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0


@dataclass(frozen=True)
class InjectionReport:
    """One injected fault: when, until when, and the alert that detected it."""

    scenario: str
    fault: str
    injected_at: float
    cleared_at: float | None
    detected_by: str | None
    time_to_detect: float | None


@dataclass
class Summary:
    """Everything the summary shows; :meth:`render` prints it, :meth:`to_json` saves it."""

    seed: int
    duration: float
    env: str
    started_at: float = 0.0
    usage: list[ModelUsage] = field(default_factory=list)
    items: dict[tuple[str, str], int] = field(default_factory=dict)
    p95: dict[str, float | None] = field(default_factory=dict)
    injections: list[InjectionReport] = field(default_factory=list)
    alerts: list[FiredAlert] = field(default_factory=list)
    alerts_before_run: list[str] = field(default_factory=list)
    slowest_run: float = 0.0
    slowest_trace: str = ""
    slowest_spans: list[SpanRow] = field(default_factory=list)
    log_file: str = ""
    log_lines: int = 0
    redactions: dict[str, int] = field(default_factory=dict)
    redacted_example: str = ""
    traces: str = ""
    urls: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    # --- derived ---------------------------------------------------------------------------

    @property
    def calls(self) -> int:
        return sum(u.calls for u in self.usage)

    @property
    def errors(self) -> int:
        return sum(u.errors for u in self.usage)

    @property
    def cost(self) -> float:
        return sum(u.cost for u in self.usage)

    @property
    def unexpected(self) -> list[FiredAlert]:
        return [a for a in self.alerts if a.role == UNEXPECTED]

    # --- output ------------------------------------------------------------------------------

    def render(self, console: Console) -> None:
        """Print the summary with rich (plain text when the console is not a terminal)."""
        console.print()
        console.rule(f"[bold]Newsroom demo — {format_duration(self.duration)}, seed {self.seed}")
        for part in (
            self._pipeline(),
            self._llm(),
            self._faults(),
            self._alerts(),
            self._tree(),
            self._telemetry(),
        ):
            if part is not None:
                console.print(part)
                console.print()

    def _pipeline(self) -> RenderableType:
        table = Table(title="Pipeline", title_justify="left", show_edge=False)
        for column in ("stage", "ok", "failed", "p95"):
            table.add_column(column, justify="left" if column == "stage" else "right")
        for stage in STAGES:
            p95 = self.p95.get(stage)
            table.add_row(
                stage,
                f"{self.items.get((stage, 'success'), 0):,}",
                f"{self.items.get((stage, 'failure'), 0):,}",
                "-" if p95 is None else _seconds(p95),
            )
        return table

    def _llm(self) -> RenderableType:
        table = Table(title="LLM calls", title_justify="left", show_edge=False)
        for column in ("provider", "model", "calls", "errors", "tokens in", "tokens out", "cost"):
            table.add_column(column, justify="left" if column in ("provider", "model") else "right")
        for u in sorted(self.usage, key=lambda u: (u.provider, u.model)):
            table.add_row(
                u.provider, u.model, f"{u.calls:,}", f"{u.errors:,}", f"{u.input_tokens:,}",
                f"{u.output_tokens:,}", f"${u.cost:.4f}",
            )  # fmt: skip
        table.add_row(
            "[bold]total", "", f"[bold]{self.calls:,}", f"[bold]{self.errors:,}",
            f"[bold]{sum(u.input_tokens for u in self.usage):,}",
            f"[bold]{sum(u.output_tokens for u in self.usage):,}", f"[bold]${self.cost:.4f}",
        )  # fmt: skip
        return table

    def _faults(self) -> RenderableType | None:
        if not self.injections:
            return Text("No faults injected (a clean run).")
        table = Table(title="Injected faults", title_justify="left", show_edge=False)
        for column in ("scenario", "injected", "cleared", "detected by", "time to detect"):
            table.add_column(column)
        for r in self.injections:
            if r.time_to_detect is None:
                verdict = "[red]not detected"
            else:
                colour = "green" if r.time_to_detect <= DETECTION_TARGET else "yellow"
                verdict = f"[{colour}]{r.time_to_detect:.1f}s"
            table.add_row(
                r.scenario,
                f"t+{format_duration(r.injected_at)}",
                "-" if r.cleared_at is None else f"t+{format_duration(r.cleared_at)}",
                r.detected_by or "-",
                verdict,
            )
        return table

    def _alerts(self) -> RenderableType:
        if not self.alerts:
            text = "No alert fired during the run."
            if self.alerts_before_run:
                text += f" (Already firing before it: {', '.join(self.alerts_before_run)}.)"
            return Text(text)
        table = Table(title="Alerts that fired", title_justify="left", show_edge=False)
        for column in ("t", "alert", "severity", "on", "caused by", "after fault"):
            table.add_column(column)
        for a in self.alerts:
            cause = a.scenario or "[red]nothing injected: a false alarm"
            if a.role not in (DETECTS, UNEXPECTED):
                cause += f" ({a.role})"
            after = "-" if a.time_to_detect is None else f"{a.time_to_detect:.1f}s"
            table.add_row(
                f"t+{format_duration(a.seen_at)}", a.name, a.severity, a.subject, cause, after
            )
        return table

    def _tree(self) -> RenderableType | None:
        if not self.slowest_spans:
            return None
        root = self.slowest_spans[0]
        tree = Tree(
            f"[bold]Slowest editor run[/] {_seconds(self.slowest_run)}  trace {self.slowest_trace}"
        )
        parents: list[Tree] = [tree]
        for row in self.slowest_spans:
            label = f"{row.name}  {_seconds(row.duration)}"
            if row.model:
                label += f"  {row.model}  {row.input_tokens}→{row.output_tokens} tokens"
                label += "" if row.cost is None else f"  ${row.cost:.5f}"
            if row.error:
                label += f"  [red]{row.error}"
            depth = row.depth - root.depth
            del parents[depth + 1 :]
            parents.append(parents[depth].add(label))
        return tree

    def _telemetry(self) -> RenderableType:
        lines = [
            f"Logs: {self.log_file} ({self.log_lines:,} JSON lines with trace ids)",
        ]
        if self.redactions:
            found = ", ".join(f"{k} {v}" for k, v in sorted(self.redactions.items()))
            lines.append(f"  personal data redacted before writing: {found}")
        if self.redacted_example:
            lines.append(f"  e.g. {self.redacted_example}")
        lines.append(f"Traces: {self.traces}")
        lines.extend(self.notes)
        for name, url in self.urls.items():  # the console comes last: where to look next
            if url:
                lines.append(f"{name}: {url}")
        return Group(*(Text(line) for line in lines))

    def to_json(self) -> dict[str, Any]:
        """The summary as JSON-ready data (``--summary-json``)."""
        return {
            "seed": self.seed,
            "duration_seconds": round(self.duration, 2),
            "started_at": self.started_at,
            "ended_at": self.started_at + self.duration,
            "env": self.env,
            "llm": {
                "calls": self.calls,
                "errors": self.errors,
                "cost_usd": round(self.cost, 6),
                "by_model": [u.__dict__ for u in self.usage],
            },
            "stages": {
                stage: {
                    "ok": self.items.get((stage, "success"), 0),
                    "failed": self.items.get((stage, "failure"), 0),
                    "p95_seconds": self.p95.get(stage),
                }
                for stage in STAGES
            },
            "injections": [r.__dict__ for r in self.injections],
            "alerts": [a.to_json() for a in self.alerts],
            "alerts_before_run": self.alerts_before_run,
            "detection_target_seconds": DETECTION_TARGET,
            "detection_limit_seconds": DETECTION_LIMIT,
            "slowest_editor_run": {
                "seconds": self.slowest_run,
                "trace_id": self.slowest_trace,
                "spans": [r.__dict__ for r in self.slowest_spans],
            },
            "logs": {"file": self.log_file, "lines": self.log_lines, "redactions": self.redactions},
            "traces": self.traces,
        }


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f}ms" if value < 1 else f"{value:.2f}s"


def _samples(registry: Any, sample_name: str) -> list[tuple[dict[str, str], float]]:
    return [
        (dict(sample.labels), float(sample.value))
        for family in registry.collect()
        for sample in family.samples
        if sample.name == sample_name
    ]


def llm_usage(registry: Any) -> list[ModelUsage]:
    """Calls, errors, tokens and cost per provider/model from a Glassbox registry."""
    calls: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0] * 5)
    for labels, value in _samples(registry, sc.LLM_DURATION.count):
        row = calls[(labels[sc.PROVIDER], labels[sc.REQUEST_MODEL])]
        row[0] += value
        if labels.get(sc.ERROR_TYPE):
            row[1] += value
    for labels, value in _samples(registry, sc.LLM_TOKENS.total):
        kind = labels[sc.TOKEN_TYPE]
        if kind in ("input", "output"):
            calls[(labels[sc.PROVIDER], labels[sc.REQUEST_MODEL])][2 if kind == "input" else 3] += (
                value
            )
    for labels, value in _samples(registry, sc.LLM_COST.total):
        calls[(labels[sc.PROVIDER], labels[sc.REQUEST_MODEL])][4] += value
    return [
        ModelUsage(p, m, int(r[0]), int(r[1]), int(r[2]), int(r[3]), r[4])
        for (p, m), r in sorted(calls.items())
    ]


def redaction_counts(registry: Any) -> dict[str, int]:
    """Values redacted so far, by entity type."""
    out: dict[str, int] = {}
    for labels, value in _samples(registry, sc.REDACTIONS.total):
        if value:
            out[labels[sc.ENTITY_TYPE]] = out.get(labels[sc.ENTITY_TYPE], 0) + int(value)
    return out
