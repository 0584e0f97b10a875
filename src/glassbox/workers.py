"""Pre-fork servers: tell Prometheus multiprocess mode that a worker process has exited.

In multiprocess mode every worker writes its metrics to files named by its pid under
``multiprocess_dir``. Gauges that sum the *live* workers (``livesum``: in-flight calls,
queue depth, busy workers, budget spend) keep counting a dead worker until its files are
marked dead, so the server's master process must call :func:`mark_worker_dead` when a
worker exits. Counters and histograms of dead workers stay in the totals, as they should.

gunicorn (``gunicorn.conf.py``)::

    from glassbox.workers import gunicorn_child_exit as child_exit

Celery (prefork pool; in the module that creates the app)::

    from celery.signals import worker_process_shutdown
    from glassbox.workers import celery_worker_process_shutdown

    worker_process_shutdown.connect(celery_worker_process_shutdown)

Any other server: call ``mark_worker_dead(pid)`` in the parent once the child has exited.
Outside multiprocess mode these functions do nothing.
"""

from __future__ import annotations

import os
from typing import Any

from glassbox._runtime import current, report_error

__all__ = ["celery_worker_process_shutdown", "gunicorn_child_exit", "mark_worker_dead"]


def _multiprocess_dir() -> str | None:
    runtime = current()
    if runtime is not None and runtime.settings.multiprocess_dir is not None:
        return runtime.settings.multiprocess_dir
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def mark_worker_dead(pid: int) -> bool:
    """Drop the live gauges of worker ``pid`` from the sums. Never raises.

    Returns:
        Whether multiprocess mode is on (and so whether there was anything to do).
    """
    path = _multiprocess_dir()
    if path is None:
        return False
    try:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(int(pid), path)  # type: ignore[no-untyped-call]
    except Exception as exc:
        report_error("multiprocess", exc)
    return True


def gunicorn_child_exit(server: Any, worker: Any) -> None:
    """gunicorn's ``child_exit`` server hook (runs in the master after a worker exits)."""
    mark_worker_dead(worker.pid)


def celery_worker_process_shutdown(sender: Any = None, pid: int | None = None, **_: Any) -> None:
    """Receiver of Celery's ``worker_process_shutdown`` signal (runs in the exiting child)."""
    mark_worker_dead(pid if pid is not None else os.getpid())
