"""What Glassbox's ``/metrics`` endpoint serves: its own metrics and the application's.

An application that already uses ``prometheus_client`` registers its metrics
(``articles_processed_total``…) and the standard ``process_*``/``python_*`` collectors on
the library's default registry. Glassbox keeps its own metrics on a private registry so
tests and re-``init()`` get fresh instruments; the endpoint serves the union of both, so
one scrape target shows everything the process knows.

Names never repeat in one exposition (Prometheus rejects it): when the application
registers a family under a name Glassbox also exposes, Glassbox's family is served and the
application's is left out.

In Prometheus multiprocess mode, every process writes its values (Glassbox's and the
application's alike, both created after the multiprocess directory was set) to the shared
directory, and the endpoint serves their aggregate; the per-process default collectors
(``process_*``, ``python_gc_*``) describe only the serving worker there and are left out,
as ``prometheus_client`` itself does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

__all__ = ["UnionCollector", "serving_registry"]


class UnionCollector(Collector):
    """Collects several registries as one; the first to expose a family name wins.

    Args:
        sources: Registries (or collectors) in order of precedence.
    """

    def __init__(self, sources: Iterable[Collector]) -> None:
        self._sources = tuple(sources)

    def describe(self) -> Iterable[Metric]:
        # Nothing to describe: the sources own their names, and the serving registry must
        # not refuse to register this collector over names it merely forwards.
        return ()

    def collect(self) -> Iterator[Metric]:
        seen: set[str] = set()
        for source in self._sources:
            for family in source.collect():
                if family.name in seen:
                    continue
                seen.add(family.name)
                yield family


def serving_registry(
    own: CollectorRegistry, *, app_metrics: bool, multiprocess_dir: str | None
) -> CollectorRegistry:
    """The registry the metrics endpoint serves.

    Args:
        own: Glassbox's registry.
        app_metrics: Also serve the application's default ``prometheus_client``
            registry (its metrics and the process/platform collectors).
        multiprocess_dir: Prometheus multiprocess directory, when in that mode.

    Returns:
        A registry to hand to the HTTP server.
    """
    if multiprocess_dir is not None:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=multiprocess_dir)  # type: ignore[no-untyped-call]
        return registry
    if not app_metrics or own is REGISTRY:
        return own
    registry = CollectorRegistry(auto_describe=False)
    registry.register(UnionCollector((own, REGISTRY)))
    return registry
