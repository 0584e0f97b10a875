"""The price table the SDK prices LLM calls with, for tools that compute cost elsewhere.

The mixin turns it into recording rules (token rate × price) so that cost dashboards and
budget alerts work on telemetry from any GenAI instrumentation, not only the Glassbox
SDK's own cost counter.
"""

from glassbox._cost import PriceEntry, price_table

__all__ = ["PriceEntry", "price_table"]
