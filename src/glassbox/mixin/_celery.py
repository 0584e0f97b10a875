"""The Celery row of the Queues dashboard, on celery-exporter's series.

The SDK's own queue metrics (``glassbox_queue_*``) cover queues it instruments; Celery
deployments usually already run celery-exporter, whose names
(:data:`~glassbox.mixin._external.CELERY_METRICS`) this row and the Celery alerts read.
"""

from __future__ import annotations

from glassbox.mixin._dashboards import D, _g
from glassbox.mixin._external import CELERY_QUEUE, CELERY_TASK
from glassbox.mixin._panels import Board, Q
from glassbox.mixin._recording import Records
from glassbox.promql import SERVICE, by, sel

__all__ = ["celery_row"]


def celery_row(b: Board, r: Records) -> None:
    """The Celery row of the Queues dashboard (celery-exporter's series), with LLM spend.

    Spend sits beside the task rates of the same services: a task that got slower or
    more expensive shows on both graphs at once.
    """
    lt = f"{{{{{CELERY_TASK}}}}}"
    t = (CELERY_TASK,)
    b.row("Celery")
    b.graph(
        "Tasks finished",
        "Celery tasks succeeded and failed per second, by task.",
        "ops",
        Q(_g(r.celery_succeeded, t), f"succeeded {lt}"),
        Q(_g(r.celery_failed, t), f"failed {lt}"),
        span=8,
    )
    b.graph(
        "Task failure ratio",
        "Share of finished Celery tasks that failed, by task.",
        "percentunit",
        Q(
            f"{_g(r.celery_failed, t)} / ({_g(r.celery_failed, t)} + {_g(r.celery_succeeded, t)})",
            lt,
        ),
        span=8,
    )
    b.graph(
        "Task runtime (p95)",
        "95th percentile Celery task runtime, by task.",
        "s",
        Q(f"max {by(t)} ({sel(r.celery_runtime_p95.name, D)})", lt),
        span=8,
    )
    b.graph(
        "Queue length and workers",
        "Messages waiting per Celery queue, and workers up.",
        "short",
        Q(
            f"max {by((CELERY_QUEUE,))} ({sel('celery_queue_length', D)})",
            f"{{{{{CELERY_QUEUE}}}}}",
        ),
        Q(f"sum({sel('celery_worker_up', D)})", "workers up"),
        span=12,
    )
    b.graph(
        "LLM spend per hour beside task throughput",
        "Estimated LLM spend per hour of the services that run Celery tasks (any "
        "instrumentation: priced from tokens where the SDK is absent), and tasks per second.",
        "short",
        Q(f"{_g(r.cost, (SERVICE,))} * 3600", f"USD/h {{{{{SERVICE}}}}}"),
        Q(_g(r.celery_succeeded, (SERVICE,)), f"tasks/s {{{{{SERVICE}}}}}"),
        span=12,
    )
