"""Glassbox: production observability for AI systems."""

from glassbox import semconv
from glassbox._version import __version__

__all__ = ["__version__", "semconv"]
