"""A process instrumented through the public API, for the Prometheus integration tests.

Usage: ``python sdk_worker.py PORT [--multiprocess-children N]``. It records a known set of
calls, prints ``ready``, then serves its metrics until its standard input closes.
"""

from __future__ import annotations

import argparse
import os
import sys

import glassbox


def record(calls: int, model: str) -> None:
    for i in range(calls):
        with (
            glassbox.attributes(team="newsroom", tenant="acme"),
            glassbox.llm_call("openai", model) as call,
        ):
            call.set_usage(input_tokens=1000, output_tokens=100, cache_read_tokens=400)
            call.set_response(model=model)
        try:
            with glassbox.llm_call("openai", model, stream=True) as call:
                for _ in range(4):
                    call.chunk()
                if i % 2:
                    call.set_error("rate_limited")
                    raise ConnectionError("simulated 429")
        except ConnectionError:
            pass
    queue = glassbox.queue("ingest")
    for _ in range(calls):
        with queue.processing(queue.enqueued()):
            pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--multiprocess-children", type=int, default=0)
    parser.add_argument("--calls", type=int, default=10)
    args = parser.parse_args()
    glassbox.init(service_name="worker", environment="test", metrics_port=args.port, logs=False,
                  log_llm_calls=False, redaction=False)  # fmt: skip
    record(args.calls, "gpt-4o-mini")
    for child in range(args.multiprocess_children):
        pid = os.fork()
        if pid == 0:  # a pre-fork worker: records into its own mmap files
            record(args.calls, f"child-model-{child}")
            os._exit(0)
        os.waitpid(pid, 0)
    print("ready", flush=True)
    sys.stdin.read()
    glassbox.shutdown()


if __name__ == "__main__":
    main()
