"""The log writer batches lines and loses none: not at exit, not in forked children."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from glassbox._logging import LineWriter


def _wait_for(predicate: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


class _CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def test_lines_wait_for_one_batched_write_in_order() -> None:
    stream = _CountingStream()
    writer = LineWriter(stream, None, flush_interval=30.0)  # the thread will not flush
    for i in range(100):
        writer.msg(f"line {i}")
    assert stream.getvalue() == ""
    assert stream.writes == 0
    writer.flush()
    assert stream.getvalue().splitlines() == [f"line {i}" for i in range(100)]
    assert stream.writes == 1
    writer.close()


def test_the_writer_thread_writes_within_the_interval() -> None:
    stream = _CountingStream()
    writer = LineWriter(stream, None, flush_interval=0.05)
    writer.msg("first")
    _wait_for(lambda: stream.getvalue() == "first\n")
    writer.msg("second")  # after a flush: the thread is woken again
    _wait_for(lambda: stream.getvalue() == "first\nsecond\n")
    writer.close()


def test_a_full_batch_is_written_by_the_caller_at_once() -> None:
    stream = _CountingStream()
    writer = LineWriter(stream, None, flush_interval=30.0, max_pending=1000)
    for _ in range(9):
        writer.msg("x" * 100)
    assert stream.writes == 0
    writer.msg("x" * 100)  # 1000 characters pending: written now, nothing dropped
    assert stream.writes == 1
    assert stream.getvalue().count("\n") == 10
    writer.close()


def test_zero_interval_writes_each_line_at_once_and_close_switches_to_that() -> None:
    stream = _CountingStream()
    writer = LineWriter(stream, None, flush_interval=0.0)
    writer.msg("now")
    assert stream.getvalue() == "now\n"
    batched = LineWriter(stream, None, flush_interval=30.0)
    batched.msg("pending")
    batched.close()
    assert stream.getvalue() == "now\npending\n"
    batched.msg("after close")
    assert stream.getvalue().endswith("after close\n")


def test_concurrent_writers_lose_and_duplicate_nothing() -> None:
    stream = io.StringIO()
    writer = LineWriter(stream, None, flush_interval=0.001, max_pending=5000)

    def work(t: int) -> None:
        for i in range(2000):
            writer.msg(f"{t}-{i}")

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.close()
    lines = stream.getvalue().splitlines()
    assert sorted(lines) == sorted(f"{t}-{i}" for t in range(4) for i in range(2000))
    for t in range(4):  # each thread's lines keep their order
        mine = [int(line.split("-")[1]) for line in lines if line.startswith(f"{t}-")]
        assert mine == sorted(mine)


def test_a_failing_stream_is_reported_not_raised() -> None:
    errors: list[str] = []
    stream = io.StringIO()
    stream.close()
    writer = LineWriter(stream, lambda component, exc: errors.append(component), flush_interval=30)
    writer.msg("lost")
    writer.flush()
    assert errors == ["log_write"]


_CHILD = """
import os, sys, glassbox
glassbox.init(service_name="exit", metrics_port=None, log_file=sys.argv[1], log_flush_interval=60)
for i in range(5):
    glassbox.llm_call("openai", "gpt-4o-mini").start().end()
{end}
"""


@pytest.mark.parametrize("end", ["", "sys.exit(0)", "raise SystemExit(3)"])
def test_lines_pending_at_interpreter_exit_are_written(tmp_path: Path, end: str) -> None:
    log = tmp_path / "exit.log"
    subprocess.run(
        [sys.executable, "-c", _CHILD.format(end=end), str(log)], check=False, timeout=60
    )
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert sum(e["event"] == "gen_ai.call" for e in events) == 5


def _log_in_child(path: str) -> None:
    import glassbox

    for _ in range(3):
        glassbox.llm_call("openai", "child-model").start().end()
    # returns: multiprocessing ends the child with os._exit(), skipping atexit


def test_forked_children_write_their_lines_and_do_not_repeat_the_parents(
    tmp_path: Path,
) -> None:
    log = tmp_path / "fork.log"
    code = f"""
import multiprocessing, os, sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
import glassbox
from test_log_writer import _log_in_child
glassbox.init(service_name="fork", metrics_port=None, log_file={str(log)!r}, log_flush_interval=60)
for _ in range(4):
    glassbox.llm_call("openai", "parent-model").start().end()
ctx = multiprocessing.get_context("fork")
children = [ctx.Process(target=_log_in_child, args=("",)) for _ in range(2)]
for child in children:
    child.start()
for child in children:
    child.join()
pid = os.fork()
if pid == 0:
    glassbox.llm_call("openai", "raw-fork").start().end()
    glassbox.shutdown()
    os._exit(0)
os.waitpid(pid, 0)
glassbox.shutdown()
"""
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    models = [
        json.loads(line)["model"]
        for line in log.read_text().splitlines()
        if '"gen_ai.call"' in line
    ]
    assert models.count("parent-model") == 4  # pending at fork: written once, by the parent
    assert models.count("child-model") == 6  # each child's 3, despite os._exit()
    assert models.count("raw-fork") == 1


def test_fork_while_threads_log_keeps_every_line_exactly_once(tmp_path: Path) -> None:
    log = tmp_path / "threads.log"
    code = f"""
import os, threading, glassbox
glassbox.init(service_name="t", metrics_port=None, log_file={str(log)!r}, log_flush_interval=0.01)
stop = threading.Event()
def work(t):
    i = 0
    while not stop.is_set():
        glassbox.llm_call("openai", f"t{{t}}-{{i}}").start().end()
        i += 1
threads = [threading.Thread(target=work, args=(t,)) for t in range(2)]
for th in threads: th.start()
pids = []
for _ in range(5):
    pid = os.fork()
    if pid == 0:
        glassbox.llm_call("openai", f"child-{{os.getpid()}}").start().end()
        glassbox.shutdown()
        os._exit(0)
    pids.append(pid)
for pid in pids: os.waitpid(pid, 0)
stop.set()
for th in threads: th.join()
glassbox.shutdown()
"""
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    models = [
        json.loads(line)["model"]
        for line in log.read_text().splitlines()
        if '"gen_ai.call"' in line
    ]
    assert len(models) == len(set(models))  # no line written twice
    assert sum(m.startswith("child-") for m in models) == 5
    for t in range(2):  # each thread's calls are all there, in order, none missing
        mine = [int(m.split("-")[1]) for m in models if m.startswith(f"t{t}-")]
        assert mine == list(range(len(mine)))
        assert mine
