"""A small instrumented program: an agent with tools and streamed LLM calls.

Run it with ``make demo`` (or ``python examples/quickstart.py``). It records telemetry
through the public API — no network, the "LLM" is a local function — and prints where
its metrics are served and what was recorded.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import time

import glassbox

rng = random.Random(7)
queue = glassbox.queue("articles")


@glassbox.tool("archive_search")
def archive_search(query: str) -> list[str]:
    time.sleep(rng.uniform(0.001, 0.005))
    return [f"{query} (archive {i})" for i in range(3)]


def fake_llm(prompt: str, model: str) -> str:
    """Stream a made-up answer through glassbox.llm_call, as an integration would."""
    with glassbox.llm_call("openai", model, stream=True) as call:
        words = [f"w{i}" for i in range(rng.randint(20, 60))]
        time.sleep(rng.uniform(0.01, 0.03))  # time to first chunk
        for _ in words:
            call.chunk()
            time.sleep(0.0005)
        call.set_usage(input_tokens=len(prompt.split()) * 4, output_tokens=len(words))
        call.set_response(model=f"{model}-2024-07-18", finish_reasons=["stop"])
        return " ".join(words)


@glassbox.agent("editor")
def editor(topic: str) -> str:
    notes = archive_search(topic)
    return fake_llm(f"Summarise {topic}: " + "; ".join(notes), "gpt-4o-mini")


@glassbox.workflow("newsroom")
def run(articles: int) -> None:
    stamps = [queue.enqueued() for _ in range(articles)]
    for i, stamp in enumerate(stamps):
        with (
            queue.processing(enqueued_at=stamp),
            glassbox.attributes(team="desk", tenant=f"paper-{i % 3}"),
        ):
            editor(f"topic {i}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--port", type=int, default=9464, help="metrics port (0 picks a free one)")
    parser.add_argument(
        "--serve", type=float, default=0, help="keep serving metrics this many seconds"
    )
    args = parser.parse_args()

    runtime = glassbox.init(service_name="quickstart", environment="dev", metrics_port=args.port,
                            log_file="quickstart.log")  # fmt: skip
    run(args.articles)
    registry = runtime.metrics.registry

    def total(name: str) -> float:  # read back what was recorded
        return sum(s.value for m in registry.collect() for s in m.samples if s.name == name)

    print(f"Recorded {total('gen_ai_client_operation_duration_seconds_count'):.0f} LLM calls, "
          f"{total('glassbox_llm_tokens_total'):.0f} tokens, "
          f"${total('glassbox_llm_cost_usd_total'):.6f} estimated cost, "
          f"{total('gen_ai_execute_tool_duration_seconds_count'):.0f} tool calls.")  # fmt: skip
    print(f"Metrics: {runtime.metrics_url or 'not served (port busy?)'}")
    print("JSON logs with trace ids: quickstart.log")
    if args.serve:
        print(f"Serving metrics for {args.serve:.0f}s (Ctrl-C to stop)…")
        with contextlib.suppress(KeyboardInterrupt):
            time.sleep(args.serve)
    glassbox.shutdown()


if __name__ == "__main__":
    main()
