"""Polling and scraping helpers for tests that drive other processes."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable

from prometheus_client.parser import text_string_to_metric_families

__all__ = ["Samples", "poll", "sample", "scrape"]

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def poll(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Call ``check`` until it is true; fail saying ``what`` never happened."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


def scrape(url: str) -> Samples:
    """Every sample of a metrics endpoint, by name and label set."""
    with urllib.request.urlopen(url, timeout=5) as response:
        text = response.read().decode()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def sample(samples: Samples, name: str, /, **labels: str) -> float:
    """The sum of ``name`` over the series whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)
