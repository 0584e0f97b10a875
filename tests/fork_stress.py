"""Fork a busy process and count children that hang: ``python fork_stress.py MODE FORKS``.

MODE is ``default`` or ``multiprocess``. Four threads make LLM calls and write structlog
and standard-library log lines in a loop while the main thread forks ``FORKS`` times.
Each child makes one call, logs one line of each kind and exits 0; a child that has not
exited within ten seconds counts as hung and is killed. Prints one JSON line:
``{"forks": N, "hung": H, "failed": F}``. Run by ``tests/test_fork.py`` in a subprocess,
so that a hang in this script itself cannot hang the test suite.
"""

from __future__ import annotations

import faulthandler
import json
import logging
import os
import signal
import sys
import tempfile
import threading
import time

import structlog

import glassbox


def busy(stop: threading.Event) -> None:
    log = structlog.get_logger("busy")
    stdlib = logging.getLogger("busy")
    while not stop.is_set():
        with glassbox.attributes(team="newsroom"), glassbox.llm_call("openai", "gpt-4o") as call:
            call.set_usage(input_tokens=10, output_tokens=5)
        log.info("working", items=3)
        stdlib.info("working %d", 3)
        glassbox.queue("ingest").enqueued()


def child() -> None:
    faulthandler.dump_traceback_later(8)  # a hung child says where it hangs (stderr)
    with glassbox.llm_call("openai", "gpt-4o") as call:
        call.set_usage(input_tokens=10, output_tokens=5)
    structlog.get_logger("child").info("child alive")
    logging.getLogger("child").info("child alive")
    glassbox.queue("ingest").dequeued()


def wait(pid: int, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return "ok" if os.waitstatus_to_exitcode(status) == 0 else "failed"
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return "hung"


def main() -> None:
    mode, forks = sys.argv[1], int(sys.argv[2])
    settings: dict[str, object] = {"metrics_port": None, "log_file": os.devnull}
    if mode == "multiprocess":
        settings["multiprocess_dir"] = tempfile.mkdtemp(prefix="glassbox-fork-")
    glassbox.init(service_name="fork-stress", **settings)
    stop = threading.Event()
    threads = [threading.Thread(target=busy, args=(stop,), daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    outcomes = []
    for _ in range(forks):
        time.sleep(0.02)  # let the threads get back into their locks
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                child()
                code = 0
            finally:
                os._exit(code)
        outcomes.append(wait(pid, 10.0))
    stop.set()
    print(
        json.dumps(
            {"forks": forks, "hung": outcomes.count("hung"), "failed": outcomes.count("failed")}
        ),
        flush=True,
    )
    os._exit(0)  # the busy threads may hold locks; do not wait for interpreter shutdown


if __name__ == "__main__":
    main()
