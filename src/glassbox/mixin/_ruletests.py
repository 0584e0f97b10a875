"""``promtool test rules`` cases: every alert fires on a fault and stays quiet when healthy.

Scenarios are built from the contract's names and the environment's thresholds: each
fault scenario drives one failure mode (and lists the alerts it must fire, with their
exact labels and annotations); two healthy scenarios — steady, and with seeded random
noise — assert that no alert fires at several points in time.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from prometheus_client.utils import floatToGoString

from glassbox import semconv as sc
from glassbox.mixin._alerts import Alert, alerts
from glassbox.mixin._build import Mixin
from glassbox.mixin._external import VLLM_MODEL
from glassbox.promql import ENV, INSTANCE, JOB, SERVICE

__all__ = ["Scenario", "rule_test_file", "scenarios", "test_rule_groups", "test_step"]

SVC = "checkout"
BASE = {JOB: SVC, INSTANCE: "10.0.0.1:8000", SERVICE: SVC}
MODEL = {
    sc.OPERATION: "chat",
    sc.PROVIDER: "openai",
    sc.REQUEST_MODEL: "gpt-4o-mini",
    sc.RESPONSE_MODEL: "gpt-4o-mini-2024-07-18",
}
M2 = {sc.PROVIDER: "openai", sc.REQUEST_MODEL: "gpt-4o-mini"}


@dataclass
class Scenario:
    """Input series and the alerts (by name) that must fire — or stay quiet."""

    name: str
    series: list[tuple[str, dict[str, str], str]] = field(default_factory=list)
    expect: dict[str, list[dict[str, str]]] = field(default_factory=dict)


def test_step(mixin: Mixin) -> float:
    """Seconds between samples and rule evaluations in the tests.

    The environment's evaluation interval, coarsened to a fifth of the rate window (a
    rate still sees five samples) so that long production windows test quickly.
    """
    env = mixin.env
    return max(env.evaluation_interval.seconds, env.rate_window.seconds / 5)


def test_rule_groups(mixin: Mixin) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The recording and alerting groups, evaluated every :func:`test_step`."""
    step = f"{test_step(mixin):g}s"
    return (
        [{**g, "interval": step} for g in mixin.recording],
        [{**g, "interval": step} for g in mixin.alerting],
    )


class _Gen:
    def __init__(self, mixin: Mixin, steps: int, noise: random.Random | None) -> None:
        self.env = mixin.env
        self.step = test_step(mixin)
        self.steps = steps
        self.noise = noise

    def factors(self) -> list[float] | None:
        """Per-step rate multipliers (shared by the series of one histogram)."""
        if self.noise is None:
            return None
        return [self.noise.uniform(0.5, 1.5) for _ in range(self.steps)]

    def _values(self, per_step: float, factors: list[float] | None) -> str:
        if factors is None or per_step == 0:
            return f"0+{per_step:g}x{self.steps}"
        value, out = 0.0, ["0"]
        for factor in factors:
            value += per_step * factor
            out.append(f"{value:.6g}")
        return " ".join(out)

    def counter(
        self,
        s: Scenario,
        name: str,
        labels: dict[str, str],
        per_second: float,
        factors: list[float] | None = None,
    ) -> None:
        factors = factors if factors is not None else self.factors()
        s.series.append(
            (name, {ENV: self.env.name, **labels}, self._values(per_second * self.step, factors))
        )

    def gauge(
        self, s: Scenario, name: str, labels: dict[str, str], value: float, slope: float = 0
    ) -> None:
        s.series.append(
            (name, {ENV: self.env.name, **labels}, f"{value:g}+{slope * self.step:g}x{self.steps}")
        )

    def histogram(
        self,
        s: Scenario,
        spec: sc.MetricSpec,
        labels: dict[str, str],
        per_second: float,
        value: float,
    ) -> None:
        """All observations at ``value``: buckets below it stay at zero."""
        bucket, count = spec.bucket, spec.count
        factors = self.factors()
        for bound in (*spec.buckets, float("inf")):
            le = {"le": floatToGoString(bound)}  # type: ignore[no-untyped-call]
            self.counter(s, bucket, {**labels, **le}, per_second if bound >= value else 0, factors)
        self.counter(s, count, labels, per_second, factors)

    def llm(
        self,
        s: Scenario,
        calls: float = 2.0,
        errors: float = 0.0,
        latency: float = 0.6,
        ttfc: float = 0.3,
    ) -> None:
        ok = {**BASE, **MODEL, sc.ERROR_TYPE: ""}
        bad = {**BASE, **MODEL, sc.ERROR_TYPE: "APIError"}
        self.histogram(s, sc.LLM_DURATION, ok, calls - errors, latency)
        if errors:
            self.histogram(s, sc.LLM_DURATION, bad, errors, latency)
        self.histogram(s, sc.LLM_TIME_TO_FIRST_CHUNK, ok, calls - errors, ttfc)


def _healthy(g: _Gen, s: Scenario) -> None:
    env, t = g.env, g.env.thresholds
    g.counter(s, "up", {}, 0)  # placeholder replaced below
    s.series.pop()
    g.gauge(s, "up", BASE, 1)
    g.llm(s, calls=2.0, errors=0.002)
    tokens = {**BASE, sc.OPERATION: "chat", **M2}
    g.counter(
        s, sc.LLM_TOKENS.total, {**tokens, sc.TOKEN_TYPE: "input"}, t.tokens_per_hour / 3600 / 10
    )
    g.counter(
        s, sc.LLM_TOKENS.total, {**tokens, sc.TOKEN_TYPE: "output"}, t.tokens_per_hour / 3600 / 20
    )
    g.counter(s, sc.LLM_RATE_LIMITED.total, {**BASE, **M2}, 0.002)
    g.counter(s, sc.LLM_UNPRICED.total, {**BASE, **M2}, 0)
    budget = min(
        [
            b
            for b in [env.budget_usd_per_day, *[tm.budget_usd_per_day for tm in env.teams.values()]]
            if b
        ]
        or [1.0]
    )
    team = next(iter(env.teams), "")
    g.counter(
        s,
        sc.LLM_COST.total,
        {**tokens, sc.TOKEN_TYPE: "input", sc.TEAM: team, sc.TENANT: "acme"},
        budget / 86400 / 10,
    )
    g.gauge(s, sc.QUEUE_DEPTH.name, {**BASE, sc.QUEUE: "ingest"}, 3)
    g.counter(s, sc.QUEUE_TASKS.total, {**BASE, sc.QUEUE: "ingest", sc.OUTCOME: "success"}, 5)
    tool = {**BASE, sc.TOOL: "search", sc.AGENT: "editor"}
    g.counter(s, sc.TOOL_DURATION.count, {**tool, sc.ERROR_TYPE: ""}, 1)
    g.counter(s, sc.TOOL_DURATION.count, {**tool, sc.ERROR_TYPE: "TimeoutError"}, 0.01)
    g.histogram(s, sc.AGENT_TOOL_CALLS, {**BASE, sc.AGENT: "editor"}, 0.2, 2)
    drift = {JOB: "drift", sc.MONITOR: "inputs"}
    g.gauge(s, sc.DRIFT_DETECTED.name, {**drift, sc.FEATURE: "length"}, 0)
    g.gauge(s, sc.DRIFT_LAST_RUN.name, drift, 0, slope=1)
    suite = {JOB: "evals", sc.SUITE: "qa"}
    g.gauge(s, sc.EVAL_REGRESSION.name, {**suite, sc.EVAL_METRIC: "accuracy"}, 0)
    g.gauge(s, sc.EVAL_SCORE.name, {**suite, sc.EVAL_METRIC: "accuracy"}, 0.9)
    g.gauge(s, sc.EVAL_LAST_RUN.name, suite, 0, slope=1)
    g.counter(s, sc.TELEMETRY_DROPPED.total, {**BASE, sc.SIGNAL: "spans"}, 0)
    vllm = {**BASE, VLLM_MODEL: "llama"}
    g.gauge(s, "vllm:kv_cache_usage_perc", vllm, t.kv_cache_usage / 2)
    g.gauge(s, "vllm:num_requests_waiting", vllm, 1)


def _labels(*parts: dict[str, str], severity: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in parts:
        out.update(part)
    return {**out, "severity": severity}


def _faults(mixin: Mixin, g: _Gen) -> list[Scenario]:
    env, t = mixin.env, mixin.env.thresholds
    e = {ENV: env.name}
    svc = {**e, SERVICE: SVC}
    model = {**svc, **M2}
    out: list[Scenario] = []

    def new(name: str) -> Scenario:
        s = Scenario(name)
        out.append(s)
        return s

    s = new("provider errors: every call fails")
    g.llm(s, calls=2.0, errors=2.0)
    s.expect["GlassboxLLMHighErrorRate"] = [_labels(model, severity="warning")]
    s.expect["GlassboxLLMAvailabilityBudgetBurn"] = [
        _labels(svc, severity="critical"),
        _labels(svc, severity="warning"),
    ]

    s = new("latency spike")
    slow = 2 * max(t.p95_latency_seconds, env.slos.latency_threshold_seconds)
    g.llm(s, latency=slow)
    s.expect["GlassboxLLMSlowLatency"] = [_labels(model, severity="warning")]
    s.expect["GlassboxLLMLatencyBudgetBurn"] = [
        _labels(svc, severity="critical"),
        _labels(svc, severity="warning"),
    ]

    s = new("slow first chunk")
    g.llm(s, ttfc=2 * t.ttfc_p95_seconds)
    s.expect["GlassboxLLMSlowTimeToFirstChunk"] = [_labels(model, severity="warning")]

    s = new("rate-limit storm")
    g.llm(s)
    g.counter(s, sc.LLM_RATE_LIMITED.total, {**BASE, **M2}, 2.0)
    s.expect["GlassboxLLMRateLimited"] = [_labels(model, severity="warning")]

    s = new("token flood")
    g.counter(
        s,
        sc.LLM_TOKENS.total,
        {**BASE, sc.OPERATION: "chat", **M2, sc.TOKEN_TYPE: "input"},
        2 * t.tokens_per_hour / 3600,
    )
    s.expect["GlassboxHighTokenUsage"] = [_labels(svc, severity="warning")]

    s = new("unpriced model")
    g.counter(s, sc.LLM_UNPRICED.total, {**BASE, **M2}, 0.5)
    s.expect["GlassboxUnpricedModelUsage"] = [_labels(model, severity="info")]

    s = new("outage: target down")
    g.gauge(s, "up", BASE, 0)
    s.expect["GlassboxServiceDown"] = [_labels(e, BASE, severity="critical")]

    s = new("no traffic")
    g.llm(s, calls=0.0)
    s.expect["GlassboxNoTraffic"] = [_labels(svc, severity="warning")]

    end = g.steps * g.step
    teams = {n: tm.budget_usd_per_day for n, tm in env.teams.items() if tm.budget_usd_per_day}
    team = min(teams, key=lambda n: teams[n]) if teams else ""
    budgets = {
        **({team: teams[team]} if team else {}),
        **({"": env.budget_usd_per_day} if env.budget_usd_per_day else {}),
    }
    target = min(budgets.values())
    # The 24h spend crosses each budget's warning line at a time well clear of the
    # run's end (so whether it fires is unambiguous); the forecast sees a spend rate of
    # 1.5 of the smallest budget per day.
    for_ = _seconds(env.for_("warning"))
    settle = for_ + 2 * env.rate_window.seconds + 2 * g.step
    lines = [t.budget_warning_fraction * b for b in budgets.values()]
    warn_rate = next(
        k * min(lines) / end
        for k in (3, 6, 12, 1.5, 24)
        if all(
            not (end - settle <= line / (k * min(lines) / end) <= end - for_ + g.step)
            for line in lines
        )
    )
    for alert, per_second, label in (
        ("GlassboxDailyBudgetWarning", warn_rate, "budget burn (24h spend)"),
        ("GlassboxBudgetExhaustionForecast", 1.5 * target / 86400, "budget burn (forecast)"),
    ):
        s = new(label)
        g.counter(
            s,
            sc.LLM_COST.total,
            {
                **BASE,
                sc.OPERATION: "chat",
                **M2,
                sc.TOKEN_TYPE: "output",
                sc.TEAM: team,
                sc.TENANT: "acme",
            },
            per_second,
        )
        expected = []
        for owner, budget in budgets.items():
            if alert == "GlassboxDailyBudgetWarning":
                fires = t.budget_warning_fraction * budget / per_second < end - settle
            else:
                fires = per_second * 86400 > budget
            if fires:
                expected.append(_labels(e, {sc.TEAM: owner} if owner else {}, severity="warning"))
        s.expect[alert] = expected

    queue = {**BASE, sc.QUEUE: "ingest"}
    s = new("queue backlog")
    g.gauge(s, sc.QUEUE_DEPTH.name, queue, 2 * t.queue_backlog)
    g.counter(s, sc.QUEUE_TASKS.total, {**queue, sc.OUTCOME: "success"}, 5)
    s.expect["GlassboxQueueBacklog"] = [_labels(svc, {sc.QUEUE: "ingest"}, severity="warning")]

    s = new("queue stall")
    g.gauge(s, sc.QUEUE_DEPTH.name, queue, 5)
    g.counter(s, sc.QUEUE_TASKS.total, {**queue, sc.OUTCOME: "success"}, 0)
    s.expect["GlassboxQueueStuck"] = [_labels(svc, {sc.QUEUE: "ingest"}, severity="critical")]

    s = new("tool failures")
    g.counter(
        s,
        sc.TOOL_DURATION.count,
        {**BASE, sc.TOOL: "search", sc.AGENT: "editor", sc.ERROR_TYPE: "TimeoutError"},
        1,
    )
    s.expect["GlassboxToolHighErrorRate"] = [_labels(svc, {sc.TOOL: "search"}, severity="warning")]

    s = new("runaway agent")
    g.histogram(s, sc.AGENT_TOOL_CALLS, {**BASE, sc.AGENT: "editor"}, 0.2, 2 * t.tool_calls_per_run)
    s.expect["GlassboxRunawayAgent"] = [_labels(svc, {sc.AGENT: "editor"}, severity="warning")]

    drift = {JOB: "drift", sc.MONITOR: "inputs"}
    s = new("input drift")
    g.gauge(s, sc.DRIFT_DETECTED.name, {**drift, sc.FEATURE: "length"}, 1)
    s.expect["GlassboxDriftDetected"] = [
        _labels(e, drift, {sc.FEATURE: "length"}, severity="warning")
    ]

    suite = {JOB: "evals", sc.SUITE: "qa"}
    s = new("eval regression")
    g.gauge(s, sc.EVAL_REGRESSION.name, {**suite, sc.EVAL_METRIC: "accuracy"}, 1)
    s.expect["GlassboxEvalScoreDrop"] = [
        _labels(e, suite, {sc.EVAL_METRIC: "accuracy"}, severity="warning")
    ]

    s = new("stale jobs")
    g.gauge(s, sc.EVAL_LAST_RUN.name, suite, -2 * t.stale_job.seconds)
    g.gauge(s, sc.DRIFT_LAST_RUN.name, drift, -2 * t.stale_job.seconds)
    s.expect["GlassboxEvalJobStale"] = [_labels(e, suite, severity="warning")]
    s.expect["GlassboxDriftJobStale"] = [_labels(e, drift, severity="warning")]

    s = new("telemetry dropped")
    g.counter(
        s,
        sc.TELEMETRY_DROPPED.total,
        {**BASE, sc.SIGNAL: "spans"},
        t.telemetry_dropped_per_second + 5,
    )
    s.expect["GlassboxTelemetryDropped"] = [_labels(svc, {sc.SIGNAL: "spans"}, severity="warning")]

    vllm = {**BASE, VLLM_MODEL: "llama"}
    s = new("serving saturation")
    g.gauge(s, "vllm:gpu_cache_usage_perc", vllm, (1 + t.kv_cache_usage) / 2)  # the pre-0.10 name
    g.gauge(s, "vllm:num_requests_waiting", vllm, 2 * t.waiting_requests)
    vl = _labels(svc, {VLLM_MODEL: "llama"}, severity="warning")
    s.expect["GlassboxServingKVCacheSaturated"] = [vl]
    s.expect["GlassboxServingRequestsWaiting"] = [vl]
    return out


def scenarios(mixin: Mixin) -> tuple[list[Scenario], int]:
    """Fault scenarios, then the two healthy ones; and the step count used."""
    env = mixin.env
    longest = max(_seconds(a.for_) for a in alerts(env, mixin.records))
    steps = int((longest + 4 * env.rate_window.seconds) / test_step(mixin)) + 10
    faults = _faults(mixin, _Gen(mixin, steps, None))
    names = {a.name for a in alerts(env, mixin.records)}
    quiet: dict[str, list[dict[str, str]]] = {name: [] for name in sorted(names)}
    healthy = []
    for label, noise in (("healthy, steady", None), ("healthy, with noise", random.Random(4))):
        s = Scenario(label, expect=dict(quiet))
        _healthy(_Gen(mixin, steps, noise), s)
        healthy.append(s)
    return [*faults, *healthy], steps


def _seconds(duration: str) -> float:
    import promql_parser

    if duration.strip("0smhd") == "":
        return 0.0  # "0s": promql-parser rejects zero durations
    return float(promql_parser.parse_duration(duration).total_seconds())


_IF = re.compile(r"\{\{ if \$labels\.(\w+) \}\}(.*?)\{\{ else \}\}(.*?)\{\{ end \}\}")
_LABEL = re.compile(r"\{\{ \$labels\.(\w+) \}\}")


def _render(template: str, labels: dict[str, str]) -> str:
    """Render the small template subset the alert descriptions use."""
    text = _IF.sub(lambda m: m.group(2) if labels.get(m.group(1)) else m.group(3), template)
    return _LABEL.sub(lambda m: labels.get(m.group(1), ""), text)


def rule_test_file(mixin: Mixin, rule_files: list[str]) -> dict[str, Any]:
    """The ``promtool test rules`` file for ``mixin`` (its rules in ``rule_files``)."""
    env = mixin.env
    by_key: dict[tuple[str, str], Alert] = {
        (a.name, a.severity): a for a in alerts(env, mixin.records)
    }
    step = test_step(mixin)
    cases, steps = scenarios(mixin)
    end = steps * step
    tests = []
    for scenario in cases:
        input_series = [
            {
                "series": name + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}",
                "values": values,
            }
            for name, labels, values in scenario.series
        ]
        times = (
            [end]
            if scenario.expect and all(scenario.expect.values())
            else [end / 3, 2 * end / 3, end]
        )
        alert_tests = []
        for when in times:
            for name, expected in scenario.expect.items():
                exp = []
                for labels in expected:
                    alert = by_key[(name, labels["severity"])]
                    exp.append(
                        {
                            "exp_labels": labels,
                            "exp_annotations": {
                                "summary": alert.summary,
                                "description": _render(alert.description, labels),
                                "runbook_url": f"{env.runbook_base_url.rstrip('/')}/{name}.md",
                            },
                        }
                    )
                alert_tests.append(
                    {"eval_time": f"{int(when)}s", "alertname": name, "exp_alerts": exp}
                )
        tests.append(
            {
                "name": scenario.name,
                "interval": f"{step:g}s",
                "input_series": input_series,
                "alert_rule_test": alert_tests,
            }
        )
    return {"rule_files": rule_files, "evaluation_interval": f"{step:g}s", "tests": tests}
