"""Running the demo: the stack, the simulators, the newsroom, the faults and the watch."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rich.console import Console

from glassbox.demo._alerts import AlertWatcher
from glassbox.demo._articles import Article, ArticleSource
from glassbox.demo._options import DemoOptions, format_duration
from glassbox.demo._scenarios import HOLD, Controls, Injection, plan, resolve_duration
from glassbox.demo._stats import NewsroomStats
from glassbox.demo._summary import InjectionReport, Summary, llm_usage, redaction_counts
from glassbox.demo._view import LiveView, Snapshot
from glassbox.exceptions import DemoError

__all__ = ["SERVICE", "DemoError", "run_demo"]

#: The demo's service: its scrape job in the decisions file and its ``service.name``.
SERVICE = "newsroom"
#: The drift monitor of the wire's input mix.
MONITOR = "newsroom_input"
_TICK = 0.25


def run_demo(options: DemoOptions, console: Console | None = None) -> Summary:
    """Run the newsroom demo and return its summary (also printed on ``console``).

    Starts the local stack when it is not running (and stops it afterwards unless
    ``options.keep_stack``), embeds one simulator per provider, and serves the SDK's
    metrics where the stack's Prometheus scrapes the ``newsroom`` service.

    Raises:
        ScenarioError: The scenarios or the duration do not make a schedule.
        MissingBinaryError, StackError, DecisionsError: The stack could not start.
        DemoError: The running stack or the metrics port is not usable.
    """
    console = console or Console()
    injections = plan(options.scenarios, options.warmup)
    duration, warning = resolve_duration(options.duration, injections, options.warmup)
    if warning:
        console.print(f"[yellow]warning:[/] {warning}")
    from glassbox.stack import down, status, up

    state_dir = options.state_dir
    state = status(state_dir)
    started = False
    if state is not None and state.env != options.env:
        raise DemoError(
            f"the stack in {state_dir} runs environment {state.env!r}, not {options.env!r}; "
            f"run `glassbox down --state-dir {state_dir}` first or pass --env {state.env}"
        )
    if state is None or not state.healthy:
        console.print(f"Starting the local stack ({options.env}) in {state_dir} …")
        state = up(env=options.env, config=options.config, state_dir=state_dir, quiet=True)
        started = True
    try:
        return asyncio.run(
            _Run(options, replace(options, duration=duration), state, console).main(injections)
        )
    finally:
        if started and not options.keep_stack:
            down(state_dir)
            console.print(f"Stopped the local stack in {state_dir} (keep it with --keep-stack).")


@dataclass
class _Timeline:
    injected: dict[str, float] = field(default_factory=dict)
    cleared: dict[str, float] = field(default_factory=dict)
    actual: list[Injection] = field(default_factory=list)


class _Run:
    def __init__(self, asked: DemoOptions, options: DemoOptions, state: Any, console: Console):
        self.asked = asked
        self.options = options
        self.duration = float(options.duration or 0)
        self.state = state
        self.console = console
        self.stats = NewsroomStats()
        self.timeline = _Timeline()

    async def main(self, injections: list[Injection]) -> Summary:
        import anthropic
        import openai

        import glassbox
        from glassbox.simulator import Simulator

        host, port = self._target()
        log_dir = self.options.state_dir / "demo"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_file = log_dir / f"{SERVICE}.jsonl"
        log_file.write_text("")
        # Spans go to the console's OTLP receiver (which also follows the log file), unless
        # the user pointed OpenTelemetry elsewhere.
        otlp: dict[str, Any] = {}  # empty: not given, the OTEL_* variables apply
        if not (
            os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
            or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        ):
            otlp["otlp_endpoint"] = f"{self.state.otlp_endpoint}/v1/traces"
        runtime = glassbox.init(
            **otlp,
            service_name=SERVICE,
            environment=self.options.env,
            metrics_host=host,
            metrics_port=port,
            keep_spans=5000,
            log_file=str(log_file),
            instrument=["openai", "anthropic"],
        )
        # The client libraries' per-request INFO lines drown the pipeline's own events.
        for name in ("httpx", "httpx2", "httpcore", "openai", "anthropic"):
            logging.getLogger(name).setLevel(logging.WARNING)
        if runtime.metrics_port is None:
            glassbox.shutdown()
            raise DemoError(
                f"cannot serve metrics on {host}:{port}, where Prometheus scrapes {SERVICE!r}: "
                "the port is in use (is another demo running?)"
            )
        sims = [Simulator(seed=self.options.seed), Simulator(seed=self.options.seed + 1)]
        try:
            for sim in sims:
                sim.start()
            openai_sim, anthropic_sim = sims
            controls = Controls(openai=openai_sim, anthropic=anthropic_sim)
            source = ArticleSource(seed=self.options.seed)
            drift = _DriftWatch(source)
            from glassbox.demo._newsroom import Newsroom

            newsroom = Newsroom(
                controls=controls,
                openai_client=openai.AsyncOpenAI(
                    base_url=openai_sim.openai_base_url, api_key="sk-demo", max_retries=2
                ),
                anthropic_client=anthropic.AsyncAnthropic(
                    base_url=anthropic_sim.anthropic_base_url, api_key="demo", max_retries=2
                ),
                stats=self.stats,
                seed=self.options.seed,
                source=source,
                on_article=drift.add,
                span_store=runtime.tracing.store,
                team=self._team(),
            )
            await asyncio.to_thread(self._wait_for_scrape)
            self._started_at = time.time()
            watcher = AlertWatcher(self.state.alertmanager_url, self.options.env, self._started_at)
            self._announce(injections)
            await self._loop(newsroom, controls, injections, watcher, drift, runtime)
            await asyncio.to_thread(watcher.poll, time.monotonic() - self._t0, self.timeline.actual)
            summary = self._summary(watcher, runtime, log_file)
        finally:
            glassbox.shutdown()
            for sim in sims:
                sim.stop()
        summary.log_lines = _count_lines(log_file)
        summary.redacted_example = _redacted_example(log_file)
        return summary

    # --- setup -------------------------------------------------------------------------------

    def _target(self) -> tuple[str, int]:
        targets = self.state.scrape_targets.get(SERVICE) or ()
        if not targets:
            raise DemoError(
                f"the {self.options.env!r} environment's Prometheus scrapes no {SERVICE!r} "
                'target; add `targets: {newsroom: ["127.0.0.1:8000"]}` to the decisions file'
            )
        host, _, port = targets[0].rpartition(":")
        return host or "127.0.0.1", int(port)

    def _team(self) -> str | None:
        """The decisions file's team owning the newsroom service (its budget applies)."""
        from glassbox.mixin import DecisionsError, load_decisions

        try:
            env = load_decisions(self.options.config).environment(self.options.env)
        except DecisionsError:
            return None
        return next((n for n, t in sorted(env.teams.items()) if SERVICE in t.services), None)

    def _wait_for_scrape(self) -> None:
        from glassbox.stack import wait_for_query

        try:
            wait_for_query(self.state.prometheus_url, f'up{{job="{SERVICE}"}} == 1', timeout=30)
        except (TimeoutError, OSError) as exc:
            self.console.print(
                f"[yellow]warning:[/] Prometheus has not scraped the demo yet: {exc}"
            )

    def _announce(self, injections: list[Injection]) -> None:
        c = self.console
        c.print(
            f"Newsroom demo for {format_duration(self.duration)} (seed {self.options.seed}); "
            f"metrics at http://{':'.join(map(str, self._target()))}/metrics"
        )
        c.print(f"  Prometheus   {self.state.prometheus_url}")
        c.print(f"  Alertmanager {self.state.alertmanager_url}")
        c.print(f"  Console      {self.state.console_url} (OTLP {self.state.otlp_endpoint})")
        for i in injections:
            c.print(f"  fault at t+{format_duration(i.at)}: {i.scenario.name} — {i.scenario.fault}")
        if not injections:
            c.print("  no faults: a clean run, which should fire no alert")

    # --- the run ------------------------------------------------------------------------------

    async def _loop(
        self,
        newsroom: Any,
        controls: Controls,
        injections: list[Injection],
        watcher: AlertWatcher,
        drift: _DriftWatch,
        runtime: Any,
    ) -> None:
        stop = asyncio.Event()
        self._t0 = time.monotonic()
        pipeline = asyncio.create_task(newsroom.run(stop))
        next_poll = next_drift = 0.0
        with LiveView(self.console, self.options.live) as view:
            self._view = view
            while True:
                now = time.monotonic() - self._t0
                if now >= self.duration or self._finished(injections, watcher, now):
                    break
                self._schedule(controls, injections, watcher, now)
                if now >= next_poll:
                    next_poll = now + 1.0
                    for alert in await asyncio.to_thread(watcher.poll, now, self.timeline.actual):
                        why = alert.scenario or "nothing injected — a false alarm"
                        after = (
                            ""
                            if alert.time_to_detect is None
                            else f" after {alert.time_to_detect:.1f}s"
                        )
                        view.event(
                            now,
                            f"[red]alert[/] {alert.name} ({alert.severity}) {alert.subject}"
                            f" — {alert.role}: {why}{after}",
                        )
                    view.update(self._snapshot(now, runtime, watcher))
                if now >= next_drift:
                    next_drift = now + 5.0
                    await asyncio.to_thread(drift.check, self.stats)
                await asyncio.sleep(_TICK)
            for name in list(self.timeline.injected):
                if name not in self.timeline.cleared:
                    self._clear(controls, name, time.monotonic() - self._t0)
        stop.set()
        await pipeline

    def _schedule(
        self, controls: Controls, injections: list[Injection], watcher: AlertWatcher, now: float
    ) -> None:
        t = self.timeline
        for injection in injections:
            name = injection.scenario.name
            if name not in t.injected and now >= injection.at:
                injection.scenario.inject(controls)
                t.injected[name] = now
                t.actual.append(Injection(injection.scenario, now))
                self._view.event(now, f"[yellow]fault[/] {name}: {injection.scenario.fault}")
            elif name in t.injected and name not in t.cleared:
                detected = watcher.detected(name)
                if now >= t.injected[name] + injection.scenario.max_active or (
                    detected is not None and now >= detected.seen_at + HOLD
                ):
                    self._clear(controls, name, now)

    def _clear(self, controls: Controls, name: str, now: float) -> None:
        from glassbox.demo._scenarios import SCENARIOS

        SCENARIOS[name].clear(controls)
        self.timeline.cleared[name] = now
        self._view.event(now, f"[green]cleared[/] {name}")

    def _finished(self, injections: list[Injection], watcher: AlertWatcher, now: float) -> bool:
        if not self.options.stop_when_detected or not injections:
            return False
        names = [i.scenario.name for i in injections]
        return all(n in self.timeline.cleared and watcher.detected(n) for n in names)

    def _snapshot(self, now: float, runtime: Any, watcher: AlertWatcher) -> Snapshot:
        usage = llm_usage(runtime.metrics.registry)
        s = self.stats
        active = [n for n in self.timeline.injected if n not in self.timeline.cleared]
        return Snapshot(
            elapsed=now,
            duration=self.duration,
            ingested=s.count("ingest"),
            embedded=s.count("embed"),
            published=s.count("publish"),
            failed=s.count("editor", "failure"),
            queue_depth=s.queue_depth,
            calls=sum(u.calls for u in usage),
            errors=sum(u.errors for u in usage),
            tokens=sum(u.input_tokens + u.output_tokens for u in usage),
            cost=sum(u.cost for u in usage),
            faults=tuple(active),
            firing=tuple(watcher.firing_now),
            last_story=s.last_story,
        )

    # --- the end ------------------------------------------------------------------------------

    def _summary(self, watcher: AlertWatcher, runtime: Any, log_file: Path) -> Summary:
        from glassbox.demo._scenarios import SCENARIOS

        end = time.monotonic() - self._t0
        reports = []
        for name, at in self.timeline.injected.items():
            detected = watcher.detected(name)
            reports.append(
                InjectionReport(
                    name, SCENARIOS[name].fault, at, self.timeline.cleared.get(name),
                    detected.name if detected else None,
                    detected.time_to_detect if detected else None,
                )
            )  # fmt: skip
        endpoint = runtime.settings.otlp_endpoint
        traces = (
            f"exported over OTLP to {endpoint} and kept in process"
            if endpoint
            else "kept in process (set OTEL_EXPORTER_OTLP_ENDPOINT to export them too)"
        )
        s = self.stats
        return Summary(
            seed=self.options.seed,
            duration=end,
            env=self.options.env,
            started_at=self._started_at,
            usage=llm_usage(runtime.metrics.registry),
            items=dict(s.items),
            p95=s.p95(),
            injections=reports,
            alerts=list(watcher.fired),
            alerts_before_run=sorted(
                {v.get("alertname", "?") for v in watcher.before_run.values()}
            ),
            slowest_run=s.slowest_run,
            slowest_trace=s.slowest_trace,
            slowest_spans=list(s.slowest_spans),
            log_file=str(log_file),
            redactions=redaction_counts(runtime.metrics.registry),
            traces=traces,
            urls={
                "Prometheus": self.state.prometheus_url,
                "Alertmanager": self.state.alertmanager_url,
                "Slowest trace": f"{self.state.console_url}/traces/{s.slowest_trace}"
                if s.slowest_trace
                else "",
                "Console": f"{self.state.console_url}/d/glassbox-overview",
            },
        )


class _DriftWatch:
    """The wire's input mix (topic, length) against a reference of the usual mix."""

    def __init__(self, source: ArticleSource) -> None:
        from glassbox.drift import Monitor, Profile, Window

        reference = source.sample(2000)
        profile = Profile.build(
            {"topic": [a.topic for a in reference], "words": [float(a.words) for a in reference]},
            name=MONITOR,
        )
        # A strict alpha and practical minimum effects: the demo checks every 5 s, and a
        # clean run must not raise a false alarm across dozens of checks.
        self._monitor = Monitor(
            profile, alpha=0.001, min_samples=40, min_effect={"js": 0.15, "psi": 0.25}
        )
        self._window = Window(max_rows=60)

    def add(self, article: Article) -> None:
        self._window.add({"topic": article.topic, "words": float(article.words)})

    def check(self, stats: NewsroomStats) -> None:
        from glassbox.drift import publish

        report = self._monitor.check(self._window.columns())
        publish(report)
        stats.drift_checks += 1
        stats.drift_detected += int(report.drift is True)


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return 0


def _redacted_example(path: Path) -> str:
    """The first log line whose personal data was redacted (shortened)."""
    try:
        with path.open(encoding="utf-8") as f:
            for line in f:
                if "source_contact" in line and "<" in line:
                    event = json.loads(line)
                    keep = ("event", "trace_id", "topic", "source_contact")
                    shown = {k: event[k] for k in keep if k in event}
                    return json.dumps(shown)
    except (OSError, ValueError):
        pass
    return ""
