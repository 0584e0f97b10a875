"""An MCP tool server built on the real ``mcp`` SDK, instrumented with Glassbox, for the tests.

Usage: ``python mcp_tool_server.py stdio`` or
``python mcp_tool_server.py streamable-http|sse PORT``.
Environment: ``GLASSBOX_OTLP_ENDPOINT`` (span export), ``GLASSBOX_METRICS_PORT`` (its
metrics endpoint), ``GLASSBOX_TEST_LLM`` (the LLM simulator's OpenAI base URL).

Tools: ``archive_search`` asks the LLM (through the instrumented openai client) and
answers with what it found and the ``tenant`` baggage it received; ``broken`` raises,
which the SDK turns into a tool result with ``isError``.
"""

from __future__ import annotations

import os
import sys

from mcp.server.mcpserver import MCPServer
from opentelemetry import baggage

import glassbox


def build() -> MCPServer:
    server = MCPServer("newsroom-tools")

    @server.tool()
    def archive_search(query: str) -> str:
        """Search the archive: an LLM call summarises what it finds."""
        import openai

        client = openai.OpenAI(base_url=os.environ["GLASSBOX_TEST_LLM"], api_key="sk-test")
        response = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": f"Find: {query}"}]
        )
        tenant = baggage.get_baggage("tenant")
        return f"tenant={tenant}; {response.choices[0].message.content}"

    @server.tool()
    def broken(query: str) -> str:
        """Always fails: the archive is offline."""
        raise RuntimeError(f"archive offline while searching {query!r}")

    return server


def main() -> None:
    glassbox.init(
        service_name="mcp-tools",
        metrics_port=int(os.environ.get("GLASSBOX_METRICS_PORT", "0")),
        otlp_endpoint=os.environ["GLASSBOX_OTLP_ENDPOINT"],
        instrument=["mcp", "openai"],
        logs=False,
        log_llm_calls=False,
        redaction=False,
    )
    server = build()
    try:
        if sys.argv[1] == "stdio":
            server.run("stdio")
        elif sys.argv[1] == "sse":
            server.run("sse", host="127.0.0.1", port=int(sys.argv[2]))
        else:
            server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    finally:
        glassbox.shutdown()


if __name__ == "__main__":
    main()
