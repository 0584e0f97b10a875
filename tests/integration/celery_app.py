"""The Celery application of the Celery integration tests (worker and producer share it).

The worker process (``celery -A celery_app worker``) initialises Glassbox at import, as an
application would, when ``GLASSBOX_TEST_WORKER`` is set: Celery, the openai client and the
MCP client instrumented, spans exported over OTLP to the test's receiver, metrics served on
``GLASSBOX_METRICS_PORT`` (in Prometheus multiprocess mode when
``PROMETHEUS_MULTIPROC_DIR`` is set, as a prefork pool needs).
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.exceptions import Reject

import glassbox

BROKER = os.environ.get("GLASSBOX_TEST_BROKER", "redis://127.0.0.1:6379/0")

app = Celery("newsroom", broker=BROKER, backend=BROKER)
app.conf.update(
    worker_send_task_events=False,
    task_send_sent_event=False,
    task_routes={"newsroom.summarise": {"queue": "llm"}},
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    result_expires=300,
)

if os.environ.get("GLASSBOX_TEST_WORKER"):
    glassbox.init(
        service_name="celery-worker",
        metrics_port=int(os.environ["GLASSBOX_METRICS_PORT"]),
        otlp_endpoint=os.environ["GLASSBOX_OTLP_ENDPOINT"],
        instrument=["celery", "openai", "mcp"],
        logs=False,
        log_llm_calls=False,
        redaction=False,
    )


@app.task(name="newsroom.summarise")
def summarise(text: str) -> str:
    """Ask the LLM simulator for a summary through the real openai client."""
    import openai

    client = openai.OpenAI(base_url=os.environ["GLASSBOX_TEST_LLM"], api_key="sk-test")
    response = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": f"Summarise: {text}"}]
    )
    return str(response.choices[0].message.content)


@app.task(name="newsroom.research")
def research(topic: str) -> str:
    """The editor agent researches a topic with a tool of the MCP server at GLASSBOX_TEST_MCP."""
    import asyncio

    from mcp import Client

    @glassbox.agent("editor")
    async def editor() -> str:
        async with Client(os.environ["GLASSBOX_TEST_MCP"]) as client:
            result = await client.call_tool("archive_search", {"query": topic})
            return str(result.content[0].text)

    return asyncio.run(editor())


@app.task(name="newsroom.fail")
def fail() -> None:
    raise ValueError("the archive is offline")


@app.task(bind=True, name="newsroom.flaky", max_retries=2)
def flaky(self: Any) -> str:
    if self.request.retries == 0:
        raise self.retry(countdown=0)
    return "ok on retry"


@app.task(name="newsroom.reject")
def reject() -> None:
    raise Reject("malformed article", requeue=False)
