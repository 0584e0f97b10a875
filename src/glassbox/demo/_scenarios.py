"""Fault scenarios: what each one breaks, which alert should catch it, and when it runs.

A scenario flips one knob of the running newsroom (a simulated provider's faults, the
queue workers, the editor agent, the summary model, the wire's topic mix) and names
the alert of the ``local`` mixin environment that must catch it. The schedule staggers
scenarios, and never lets two scenarios share a *resource* at once (two faults on one
simulated provider would blur which alert detected which), so every alert can be
traced back to one injection.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from glassbox.exceptions import ScenarioError

__all__ = [
    "DETECTION_LIMIT",
    "DETECTION_TARGET",
    "SCENARIOS",
    "Controls",
    "FaultTarget",
    "Injection",
    "Scenario",
    "ScenarioError",
    "default_duration",
    "plan",
    "resolve_duration",
]

#: Every scenario's alert should arrive within this many seconds of its fault…
DETECTION_TARGET = 60.0
#: …and an alert arriving later than this is not counted as a detection.
DETECTION_LIMIT = 120.0
#: A run shorter than this after the last injection cannot show its detection.
MIN_WINDOW = 30.0
#: Seconds between scenario injections.
STAGGER = 15.0
#: Seconds a resource rests between two scenarios (its alerts resolve meanwhile).
RECOVERY = 10.0
#: A fault stays this long after its alert arrived, then clears.
HOLD = 8.0

#: The editor writes summaries with this model; ``budget-burn`` swaps in the expensive one.
SUMMARY_MODEL = "claude-haiku-4-5"
EXPENSIVE_MODEL = "claude-opus-4-5"


class FaultTarget(Protocol):
    """A simulated provider whose faults can change (:class:`glassbox.simulator.Simulator`)."""

    def set_faults(self, **changes: Any) -> Any: ...


@dataclass
class Controls:
    """The knobs scenarios turn; the newsroom reads them on every step.

    Attributes:
        openai: The simulated OpenAI provider.
        anthropic: The simulated Anthropic provider.
        stalled: Queue workers take no items.
        runaway: The editor agent is forced to call a tool at every step.
        summary_model: The model the editor writes summaries with.
        drifted: The wire's topic mix has shifted.
    """

    openai: FaultTarget
    anthropic: FaultTarget
    stalled: bool = False
    runaway: bool = False
    summary_model: str = SUMMARY_MODEL
    drifted: bool = False


def _set(attribute: str, value: Any) -> Callable[[Controls], None]:
    def apply(controls: Controls) -> None:
        setattr(controls, attribute, value)

    return apply


def _faults(provider: str, **faults: Any) -> Callable[[Controls], None]:
    def apply(controls: Controls) -> None:
        getattr(controls, provider).set_faults(**faults)

    return apply


_NO_FAULTS: dict[str, Any] = {"error_rates": {}, "extra_latency": 0.0, "outage": False}


@dataclass(frozen=True)
class Scenario:
    """One fault and the alert that must catch it.

    Attributes:
        name: The ``--scenario`` name.
        fault: What goes wrong, one sentence for the summary.
        resources: What the fault occupies; two scenarios never share one at once.
        alerts: The alerts that detect it (any one counts).
        also: Alerts it may legitimately cause besides (not counted as false alarms).
        provider: The provider it affects; an alert labelled with another provider is
            not attributed to it.
        max_active: Seconds the fault lasts at most (it clears earlier once detected).
        inject: Turns the fault on.
        clear: Turns it off.
    """

    name: str
    fault: str
    resources: tuple[str, ...]
    alerts: tuple[str, ...]
    also: tuple[str, ...]
    inject: Callable[[Controls], None] = field(repr=False)
    clear: Callable[[Controls], None] = field(repr=False)
    provider: str | None = None
    max_active: float = 45.0

    def explains(self, alertname: str, labels: dict[str, str]) -> int:
        """2 when ``alertname`` detects this scenario, 1 when it is a side effect, else 0."""
        provider = labels.get("gen_ai_provider_name")
        if self.provider is not None and provider is not None and provider != self.provider:
            return 0
        if alertname in self.alerts:
            return 2
        return 1 if alertname in self.also else 0


_ERROR_ALERTS = ("GlassboxLLMHighErrorRate",)
_AVAILABILITY = "GlassboxLLMAvailabilityBudgetBurn"
_SLOW = ("GlassboxLLMSlowLatency", "GlassboxLLMSlowTimeToFirstChunk")

#: Every scenario, in the default order of a full run.
SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "provider-errors",
            "80% of OpenAI requests answer 500/502/503 (the client retries twice)",
            ("openai",), _ERROR_ALERTS, (_AVAILABILITY,),
            _faults("openai", error_rates={500: 0.5, 502: 0.15, 503: 0.15}),
            _faults("openai", **_NO_FAULTS), provider="openai",
        ),
        Scenario(
            "rate-limit-storm",
            "70% of Anthropic requests answer 429 with retry-after: 1s",
            ("anthropic",), ("GlassboxLLMRateLimited",),
            (*_ERROR_ALERTS, _AVAILABILITY, *_SLOW, "GlassboxLLMLatencyBudgetBurn"),
            _faults("anthropic", error_rates={429: 0.7}, retry_after=1.0),
            _faults("anthropic", **_NO_FAULTS), provider="anthropic", max_active=40.0,
        ),
        Scenario(
            "queue-stall",
            "the embedding workers stop taking items off the queue",
            ("queue",), ("GlassboxQueueStuck",), ("GlassboxQueueBacklog",),
            _set("stalled", True), _set("stalled", False), max_active=60.0,
        ),
        Scenario(
            "runaway-agent",
            "the editor agent is forced to call a tool at every step (a tool loop)",
            ("editor", "cost"), ("GlassboxRunawayAgent",),
            ("GlassboxHighTokenUsage", "GlassboxBudgetExhaustionForecast"),
            _set("runaway", True), _set("runaway", False),
        ),
        Scenario(
            "input-drift",
            "election night: the wire's topic mix shifts to long political copy",
            ("input",), ("GlassboxDriftDetected",), (),
            _set("drifted", True), _set("drifted", False),
        ),
        Scenario(
            "budget-burn",
            f"the editor writes longer summaries with {EXPENSIVE_MODEL} instead of {SUMMARY_MODEL}",
            ("anthropic", "cost"), ("GlassboxBudgetExhaustionForecast",),
            ("GlassboxDailyBudgetWarning", "GlassboxHighTokenUsage", *_SLOW),
            _set("summary_model", EXPENSIVE_MODEL), _set("summary_model", SUMMARY_MODEL),
            provider="anthropic", max_active=40.0,
        ),
        Scenario(
            "latency-spike",
            "every OpenAI response is delayed by 6 seconds",
            ("openai",), ("GlassboxLLMSlowLatency",),
            ("GlassboxLLMSlowTimeToFirstChunk", "GlassboxLLMLatencyBudgetBurn",
             "GlassboxQueueBacklog"),
            _faults("openai", extra_latency=6.0), _faults("openai", **_NO_FAULTS),
            provider="openai",
        ),
        Scenario(
            "provider-outage",
            "Anthropic is down: every request answers 503",
            ("anthropic",), _ERROR_ALERTS, (_AVAILABILITY,),
            _faults("anthropic", outage=True), _faults("anthropic", **_NO_FAULTS),
            provider="anthropic",
        ),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Injection:
    """One scheduled fault.

    Attributes:
        scenario: What is injected.
        at: Seconds after the start of the run.
    """

    scenario: Scenario
    at: float

    @property
    def latest_clear(self) -> float:
        """When the fault clears at the latest."""
        return self.at + self.scenario.max_active


def plan(names: Sequence[str], warmup: float) -> list[Injection]:
    """Schedule ``names``: staggered by :data:`STAGGER`, one scenario per resource at a time.

    Args:
        names: Scenario names, in the order to inject them.
        warmup: Seconds of clean traffic before the first fault.

    Returns:
        The injections, ordered by time.

    Raises:
        ScenarioError: An unknown or repeated name.
    """
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise ScenarioError(f"unknown scenario {unknown[0]!r}; choose from: {', '.join(SCENARIOS)}")
    repeated = sorted({n for n in names if list(names).count(n) > 1})
    if repeated:
        raise ScenarioError(f"scenario {repeated[0]!r} is given more than once")
    free: dict[str, float] = {}
    out: list[Injection] = []
    for index, name in enumerate(names):
        scenario = SCENARIOS[name]
        at = max(warmup + index * STAGGER, *(free.get(r, 0.0) for r in scenario.resources))
        for resource in scenario.resources:
            free[resource] = at + scenario.max_active + RECOVERY
        out.append(Injection(scenario, at))
    return sorted(out, key=lambda injection: injection.at)


def default_duration(injections: Sequence[Injection], warmup: float) -> float:
    """Enough for the last fault's full detection window, rounded up to 10 s."""
    last = max((i.at for i in injections), default=warmup)
    return float(math.ceil((last + DETECTION_TARGET + 10.0) / 10.0) * 10)


def resolve_duration(
    duration: float | None, injections: Sequence[Injection], warmup: float
) -> tuple[float, str | None]:
    """The run's duration and a warning when it cuts detection windows short.

    Raises:
        ScenarioError: Too short to show the last fault's detection at all.
    """
    if duration is None:
        return default_duration(injections, warmup), None
    if not injections:
        return duration, None
    last = max(injections, key=lambda i: i.at)
    if duration < last.at + MIN_WINDOW:
        from glassbox.demo._options import format_duration

        need = format_duration(last.at + DETECTION_TARGET)
        raise ScenarioError(
            f"--duration {format_duration(duration)} is too short: {last.scenario.name} is "
            f"injected at {format_duration(last.at)} and its alert may take up to "
            f"{DETECTION_TARGET:g}s; use --duration {need} or more (or leave it out)"
        )
    if duration < last.at + DETECTION_TARGET:
        return duration, (
            f"the run ends {duration - last.at:.0f}s after {last.scenario.name} is injected; "
            f"an alert slower than that will be missed"
        )
    return duration, None
