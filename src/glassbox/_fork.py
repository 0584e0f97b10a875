"""Fork safety: every lock Glassbox (or a dependency on its behalf) holds is usable in a child.

``os.fork()`` copies a process with only the calling thread. A lock another thread held
at that instant stays held for ever in the child, so the child's first log line or
metric update hangs. Pre-fork servers (gunicorn, Celery prefork, ``multiprocessing``)
fork while the parent's threads log and make calls, so this is the common case.

Three mechanisms, all registered once with :func:`os.register_at_fork`:

- :func:`new_lock` hands out locks that are re-initialised (released) in the child.
  Glassbox's own locks and the per-value locks of ``prometheus_client`` metrics it
  creates come from here (:class:`ForkSafeValue`).
- :func:`hold_during_fork` acquires a lock just before ``fork()`` and releases it in
  both processes afterwards: for locks that guard shared state which must not be copied
  half-written (the log writer, prometheus_client's multiprocess value lock).
- :func:`after_fork_in_child` calls a method in the child (restart a worker thread),
  through a weak reference so that registration never keeps an object alive.
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Callable
from typing import Any

from prometheus_client.values import MutexValue

__all__ = [
    "ForkSafeValue",
    "after_fork_in_child",
    "fork_safe_metrics",
    "hold_during_fork",
    "new_lock",
]

_LOCKS: weakref.WeakSet[Any] = weakref.WeakSet()
_HELD: list[Callable[[], Any]] = []  # weak references to locks acquired around fork()
_CHILD_CALLBACKS: list[weakref.WeakMethod[Callable[[], None]]] = []
_REGISTRY_LOCK = threading.Lock()


def new_lock() -> threading.Lock:
    """A :class:`threading.Lock` that is released and usable in a forked child."""
    lock = threading.Lock()
    with _REGISTRY_LOCK:
        _LOCKS.add(lock)
    return lock


def hold_during_fork(lock: Any) -> None:
    """Acquire ``lock`` before every ``fork()``; release it in parent and child after.

    The fork then never copies the state the lock guards half-written. The lock is
    referenced weakly.
    """
    with _REGISTRY_LOCK:
        _HELD.append(weakref.ref(lock))


def after_fork_in_child(method: Callable[[], None]) -> None:
    """Call the bound ``method`` in every forked child (weakly: its object may go away)."""
    with _REGISTRY_LOCK:
        _CHILD_CALLBACKS.append(weakref.WeakMethod(method))


class ForkSafeValue(MutexValue):
    """prometheus_client's in-process value with a lock that is released after fork.

    Its state is set here, not by the base class: ``_value``, ``_exemplar`` and
    ``_lock`` are the names ``MutexValue``'s methods read, and :meth:`add` is the hot
    path's one call for an increment and its exemplar.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._value = 0.0
        self._exemplar: Any = None
        self._lock = new_lock()

    def add(self, amount: float, exemplar: Any = None) -> None:
        """``inc(amount)`` and, given one, ``set_exemplar(exemplar)`` under one lock."""
        with self._lock:
            self._value += amount
            if exemplar is not None:
                self._exemplar = exemplar


def fork_safe_metrics(registry: Any, metrics: Any) -> None:
    """Make prometheus_client's locks of Glassbox's metrics usable after ``fork()``.

    prometheus_client (0.2x) guards each metric's child table (``_lock``), its registry
    (``_lock``) and each in-process value (``MutexValue._lock``) with plain locks, and
    in multiprocess mode every value with one module lock held during the mmap write.
    New values get :class:`ForkSafeValue`; the existing locks are swapped for fork-safe
    ones; the multiprocess lock is held across ``fork()``. These are private attributes,
    touched once at ``init()``; ``tests/test_fork.py`` checks the assumption. Call it
    with no metrics before creating them (so their values are fork-safe), then with them.
    """
    from prometheus_client import values

    if values.ValueClass is MutexValue:
        values.ValueClass = ForkSafeValue
    elif getattr(values.ValueClass, "_multiprocess", False):
        lock = _closure_lock(values.ValueClass.inc)
        if lock is not None and all(ref() is not lock for ref in _HELD):
            hold_during_fork(lock)
    for owner in (registry, *metrics):
        if isinstance(getattr(owner, "_lock", None), type(_REGISTRY_LOCK)):
            owner._lock = new_lock()


def _closure_lock(function: Any) -> Any:
    """The lock named ``lock`` in ``function``'s closure (prometheus_client's mmap values)."""
    code = getattr(function, "__code__", None)
    if code is None or "lock" not in code.co_freevars:
        return None
    return function.__closure__[code.co_freevars.index("lock")].cell_contents


def _held_locks() -> list[Any]:
    return [lock for ref in _HELD if (lock := ref()) is not None]


_acquired: list[Any] = []


def _before_fork() -> None:
    # A lock that cannot be taken in a few seconds is stuck; forking without it is
    # better than never forking (the child re-initialises it anyway where it can).
    _acquired.extend(lock for lock in _held_locks() if lock.acquire(timeout=5))


def _release_held() -> None:
    while _acquired:
        lock = _acquired.pop()
        with contextlib.suppress(RuntimeError):  # released by someone else
            lock.release()


def _after_fork_in_child() -> None:
    _release_held()
    global _REGISTRY_LOCK
    _REGISTRY_LOCK = threading.Lock()
    for lock in list(_LOCKS):
        lock._at_fork_reinit()  # what the standard library does for its own locks
    for ref in _CHILD_CALLBACKS:
        method = ref()
        if method is not None:
            with contextlib.suppress(Exception):  # a restart must not kill the child
                method()
    _CHILD_CALLBACKS[:] = [ref for ref in _CHILD_CALLBACKS if ref() is not None]


os.register_at_fork(
    before=_before_fork, after_in_parent=_release_held, after_in_child=_after_fork_in_child
)
