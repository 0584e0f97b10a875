"""Budgets: spend per UTC day or month, published as metrics, optionally enforced."""

from __future__ import annotations

import time
from collections.abc import Sequence

from glassbox import semconv
from glassbox._config import Budget
from glassbox._fork import new_lock
from glassbox._metrics import Metrics
from glassbox.exceptions import BudgetExceededError

__all__ = ["BudgetTracker"]


def _period_key(period: str, now: float) -> tuple[int, ...]:
    tm = time.gmtime(now)
    return (tm.tm_year, tm.tm_mon, tm.tm_mday) if period == "day" else (tm.tm_year, tm.tm_mon)


class BudgetTracker:
    """Counts spend against each budget whose scope matches a call's team and tenant.

    Spend is per process (each worker of a multiprocess service keeps its own and the
    ``livesum`` gauge adds them up); it starts from zero at ``init()``.
    """

    def __init__(self, budgets: Sequence[Budget], metrics: Metrics) -> None:
        self._budgets = tuple(budgets)
        self._metrics = metrics
        self._spend = {b.name: 0.0 for b in self._budgets}
        self._period = {b.name: _period_key(b.period, time.time()) for b in self._budgets}
        self._lock = new_lock()
        for budget in self._budgets:
            metrics.child(semconv.BUDGET_LIMIT, budget.name).set(budget.limit_usd)
            metrics.child(semconv.BUDGET_SPEND, budget.name).set(0.0)

    def __bool__(self) -> bool:
        return bool(self._budgets)

    def _matching(self, team: str, tenant: str) -> list[Budget]:
        return [
            b
            for b in self._budgets
            if (b.team is None or b.team == team) and (b.tenant is None or b.tenant == tenant)
        ]

    def _roll(self, budget: Budget, now: float) -> None:
        key = _period_key(budget.period, now)
        if key != self._period[budget.name]:
            self._period[budget.name] = key
            self._spend[budget.name] = 0.0
            self._metrics.child(semconv.BUDGET_SPEND, budget.name).set(0.0)

    def check(self, team: str, tenant: str) -> None:
        """Raise :class:`BudgetExceededError` if an enforced budget of this scope is spent."""
        now = time.time()
        with self._lock:
            for budget in self._matching(team, tenant):
                self._roll(budget, now)
                if budget.enforce and self._spend[budget.name] >= budget.limit_usd:
                    self._metrics.child(semconv.BUDGET_BLOCKED, budget.name).inc()
                    raise BudgetExceededError(
                        budget.name, budget.limit_usd, self._spend[budget.name]
                    )

    def record(self, cost_usd: float, team: str, tenant: str) -> None:
        """Add one call's cost to every matching budget."""
        now = time.time()
        with self._lock:
            for budget in self._matching(team, tenant):
                self._roll(budget, now)
                self._spend[budget.name] += cost_usd
                self._metrics.child(semconv.BUDGET_SPEND, budget.name).set(self._spend[budget.name])

    def spend(self, name: str) -> float:
        """Spend of budget ``name`` in its current period."""
        return self._spend[name]
