"""Forked children of a busy process never hang; dead workers leave the live gauges.

The stress runs in a subprocess with a timeout, so a hang fails the test instead of
hanging the suite; a hung child prints its stack (faulthandler) to the subprocess's
stderr, which the assertion message shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, multiprocess, values

import glassbox
from glassbox import _fork
from glassbox.testing import capture
from glassbox.workers import mark_worker_dead

STRESS = Path(__file__).with_name("fork_stress.py")


@pytest.mark.parametrize("mode", ["default", "multiprocess"])
def test_twenty_forks_of_a_busy_process_never_hang(mode: str) -> None:
    result = subprocess.run(
        [sys.executable, str(STRESS), mode, "20"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"forks": 20, "hung": 0, "failed": 0}, result.stderr[-3000:]


def test_locks_are_released_in_the_child_and_held_locks_come_back_in_the_parent() -> None:
    lock = _fork.new_lock()
    held = threading.Lock()
    _fork.hold_during_fork(held)
    taken = threading.Event()
    release = threading.Event()

    def hold_forever() -> None:  # another thread owns the lock at the moment of fork()
        with lock:
            taken.set()
            release.wait(30)

    thread = threading.Thread(target=hold_forever, daemon=True)
    thread.start()
    assert taken.wait(5)
    pid = os.fork()
    if pid == 0:
        ok = lock.acquire(timeout=2) and held.acquire(timeout=2)
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    release.set()
    thread.join(5)
    assert os.waitstatus_to_exitcode(status) == 0
    assert held.acquire(timeout=1), "the parent got its held lock back after fork()"


def test_prometheus_client_internals_the_fork_safety_relies_on() -> None:
    # prometheus_client 0.2x: values come from values.ValueClass, metrics and registries
    # guard their tables with ``_lock``, mmap values share a ``lock`` in their closure.
    with capture() as telemetry:
        assert values.ValueClass is _fork.ForkSafeValue
        counter = telemetry.runtime.metrics.metric(glassbox.semconv.LLM_RETRIES)
        assert counter._lock in _fork._LOCKS
        assert telemetry.registry._lock in _fork._LOCKS
        child = counter.labels("openai", "m")
        assert child._value._lock in _fork._LOCKS
    mmap_class = values.MultiProcessValue()  # type: ignore[no-untyped-call]
    assert isinstance(_fork._closure_lock(mmap_class.inc), type(threading.Lock()))


def test_dead_workers_leave_the_live_gauges(tmp_path: Path) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    script = (
        "import sys, glassbox\n"
        f"glassbox.init(metrics_port=None, multiprocess_dir={str(directory)!r})\n"
        "glassbox.queue('ingest').enqueued(5)\n"
    )
    worker = subprocess.run(
        [sys.executable, "-c", script + "print(__import__('os').getpid())"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    pid = int(worker.stdout.strip())

    def depth() -> float | None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
        return registry.get_sample_value("glassbox_queue_depth", {"queue": "ingest"})

    assert depth() == 5  # the worker exited without shutdown(): its gauge still counts
    master = (
        "import types, glassbox\n"
        "from glassbox.workers import gunicorn_child_exit\n"
        f"glassbox.init(metrics_port=None, multiprocess_dir={str(directory)!r})\n"
        f"gunicorn_child_exit(None, types.SimpleNamespace(pid={pid}))\n"
        "glassbox.shutdown()\n"
    )
    subprocess.run([sys.executable, "-c", master], timeout=120, check=True)
    assert depth() in (None, 0)


def test_outside_multiprocess_mode_marking_a_worker_dead_does_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert mark_worker_dead(12345) is False
