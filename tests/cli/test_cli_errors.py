"""Every command, given bad input as a new user would: one line, the value, what to do, exit 2.

And a service that cannot be reached: exit 3. The policy is in ``docs/cli.md``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from glassbox.cli import app
from glassbox.cli._common import GlassboxGroup
from glassbox.exceptions import DecisionsError, GlassboxError, PushError, StackError
from glassbox.stack import free_port

runner = CliRunner()

_SUITE = "name: qa\ndataset: {dataset}\ntask: task.py:answer\nscorers: [{{name: exact_match}}]\n"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """Bad input files, made the way a user gets them wrong."""
    (tmp_path / "a-file").write_text("not a directory\n")
    (tmp_path / "binary.yaml").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "broken.yaml").write_text("environments: {prod: [\n")
    (tmp_path / "list.yaml").write_text("- prod\n- staging\n")
    (tmp_path / "task.py").write_text("def answer(example):\n    return example['q']\n")
    (tmp_path / "rows.jsonl").write_text('{"q": "a", "expected": "a"}\n{"q": "b", \n')
    (tmp_path / "good.jsonl").write_text('{"q": "a", "expected": "a"}\n')
    (tmp_path / "malformed-suite.yaml").write_text(_SUITE.format(dataset="rows.jsonl"))
    (tmp_path / "lots-suite.yaml").write_text(
        _SUITE.format(dataset="good.jsonl") + "concurrency: lots\n"
    )
    (tmp_path / "ref.npy").write_bytes(b"")
    return tmp_path


# (id, arguments ({t} is the directory of `files`), text the one-line error must contain)
BAD_INPUT = [
    ("deploy --out is a file", ["deploy", "compose", "-e", "prod", "-o", "{t}/a-file"],
     "invalid --out={t}/a-file: expected a directory, not an existing file"),
    ("deploy --out under a file", ["deploy", "k8s", "-e", "prod", "-o", "{t}/a-file/out"],
     "invalid --out={t}/a-file/out: expected a writable directory ({t}/a-file is not a dir"),
    ("deploy --out unwritable", ["deploy", "compose", "-e", "prod", "-o", "/proc/glassbox"],
     "invalid --out=/proc/glassbox: expected a writable directory (cannot create a file in"),
    ("deploy binary decisions", ["deploy", "compose", "-e", "prod", "-o", "{t}/out",
                                 "-c", "{t}/binary.yaml"],
     "decisions file {t}/binary.yaml is not UTF-8 text; expected a YAML file"),
    ("deploy --namespace not a k8s name", ["deploy", "k8s", "-e", "prod", "-o", "{t}/out",
                                           "-n", "Bad_NS"],
     "invalid --namespace=Bad_NS: expected a Kubernetes namespace"),
    ("mixin build malformed decisions", ["mixin", "build", "-e", "prod", "-o", "{t}/out",
                                        "-c", "{t}/broken.yaml"],
     "{t}/broken.yaml is not valid YAML: expected the node content"),
    ("mixin test decisions not a mapping", ["mixin", "test", "-c", "{t}/list.yaml"],
     "{t}/list.yaml: the top level = ['prod', 'staging']; expected a mapping"),
    ("up binary decisions", ["up", "-d", "{t}/stack", "-c", "{t}/binary.yaml"],
     "decisions file {t}/binary.yaml is not UTF-8 text"),
    ("up --prometheus-port 0", ["up", "-d", "{t}/stack", "--prometheus-port", "0"],
     "invalid --prometheus-port=0: expected a TCP port, 1-65535"),
    ("up --state-dir is a file", ["up", "-d", "{t}/a-file"],
     "invalid --state-dir={t}/a-file: expected a directory (this is a file)"),
    ("down --state-dir is a file", ["down", "-d", "{t}/a-file"],
     "invalid --state-dir={t}/a-file: expected a directory"),
    ("status --state-dir is a file", ["status", "-d", "{t}/a-file"],
     "invalid --state-dir={t}/a-file: expected a directory"),
    ("console --port 70000", ["console", "--port", "70000"],
     "invalid --port=70000: expected a TCP port, 1-65535"),
    ("console --prometheus not a URL", ["console", "--prometheus", "not-a-url"],
     "invalid --prometheus=not-a-url: expected an http:// or https:// URL"),
    ("console unknown --env", ["console", "-e", "nope"],
     "no environment 'nope'; expected one of: local, prod"),
    ("top --prometheus not a URL", ["top", "--once", "--prometheus", "not-a-url"],
     "invalid --prometheus=not-a-url: expected an http:// or https:// URL"),
    ("top --selector not PromQL", ["top", "--once", "--selector", "env=prod"],
     "invalid --selector=env=prod: expected PromQL label matchers, e.g. env=\"prod\""),
    ("eval binary suite", ["eval", "run", "{t}/binary.yaml"],
     "suite {t}/binary.yaml is not UTF-8 text; expected a YAML file"),
    ("eval malformed JSONL", ["eval", "run", "{t}/malformed-suite.yaml"],
     "dataset {t}/rows.jsonl, line 2: not a JSON object"),
    ("eval concurrency: lots", ["eval", "run", "{t}/lots-suite.yaml"],
     "{t}/lots-suite.yaml: concurrency = 'lots'; expected a whole number"),
    ("eval --pushgateway not a URL", ["eval", "run", "{t}/lots-suite.yaml",
                                      "--pushgateway", "not-a-url"],
     "invalid --pushgateway=not-a-url: expected an http:// or https:// URL"),
    ("drift --pushgateway not a URL", ["drift", "check", "-r", "{t}/ref.npy", "--current",
                                       "{t}/ref.npy", "--pushgateway", "not-a-url"],
     "invalid --pushgateway=not-a-url: expected an http:// or https:// URL"),
    ("drift profile of an empty file", ["drift", "profile", "{t}/ref.npy", "-o", "{t}/p"],
     "{t}/ref.npy"),
    ("simulate-llm --time-scale nan", ["simulate-llm", "--time-scale", "nan"],
     "invalid --time-scale=nan: expected a finite number >= 0"),
    ("simulate-llm faults --url not a URL", ["simulate-llm", "faults", "--url", "not-a-url"],
     "invalid --url=not-a-url: expected an http:// or https:// URL"),
    ("demo --summary-json in a missing dir", ["demo", "-d", "{t}/stack",
                                              "--summary-json", "{t}/no/such/dir/s.json"],
     "invalid --summary-json={t}/no/such/dir/s.json: expected a file in a writable directory"),
    ("demo --summary-json unwritable", ["demo", "-d", "{t}/stack", "--summary-json",
                                        "/proc/summary.json"],
     "invalid --summary-json=/proc/summary.json: expected a file in a writable directory"),
    ("demo unknown --env", ["demo", "-d", "{t}/stack", "-e", "nope"],
     "no environment 'nope'; expected one of: local, prod"),
    ("redact a missing file", ["redact", "{t}/missing.log"],
     "cannot read {t}/missing.log: no such file"),
]  # fmt: skip


def _one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "message"), [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT]
)
def test_bad_input_is_one_line_naming_the_value_with_exit_2(
    files: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, [arg.format(t=files) for arg in args])
    assert isinstance(result.exception, SystemExit), result.exception  # not an uncaught error
    assert result.exit_code == 2, result.output
    assert message.format(t=files) in _one_error_line(result.stderr)
    assert not (files / "stack").exists()  # nothing was started or created
    assert not (files / "out").exists()


def _commands() -> set[str]:
    """Every command a user can run: leaves, and groups that run on their own."""

    def walk(command: object, path: tuple[str, ...]) -> set[str]:
        subcommands: dict[str, object] = getattr(command, "commands", {})
        runs = not subcommands or getattr(command, "invoke_without_command", False)
        found = {" ".join(path)} if path and runs else set()
        for name, sub in subcommands.items():
            found |= walk(sub, (*path, name))
        return found

    return walk(typer.main.get_command(app), ())


def _command_of(args: list[str], commands: set[str]) -> str | None:
    words: list[str] = []
    for arg in args:
        if arg.startswith("-"):
            break
        words.append(arg)
    prefixes = (" ".join(words[:n]) for n in range(len(words), 0, -1))
    return next((prefix for prefix in prefixes if prefix in commands), None)


def test_every_command_is_tried_with_bad_input() -> None:
    commands = _commands()
    assert {"up", "top", "drift check", "simulate-llm", "simulate-llm faults"} <= commands
    tried = {_command_of(args, commands) for _, args, _ in BAD_INPUT}
    assert commands - tried == set()


@pytest.mark.parametrize(
    "args",
    [
        ["top", "--once", "--prometheus", "{url}"],
        ["simulate-llm", "faults", "--url", "{url}"],
    ],
    ids=["top", "simulate-llm faults"],
)
def test_a_service_that_cannot_be_reached_exits_3(args: list[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = runner.invoke(app, [arg.format(url=url) for arg in args])
    assert result.exit_code == 3, result.output
    line = _one_error_line(result.stderr)
    assert "cannot reach" in line
    assert url in line


def test_the_installed_command_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    """The real entry point in a real process, not only typer's test runner."""
    command = [sys.executable, "-c", "from glassbox.cli import main; main()"]
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(
        [*command, "top", "--once", "--prometheus", "not-a-url"],
        capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "invalid --prometheus=not-a-url" in _one_error_line(proc.stderr)
    assert proc.stdout == ""


def test_usage_errors_of_the_parser_exit_2() -> None:
    result = runner.invoke(app, ["simulate-llm", "--time-scale", "fast"])
    assert result.exit_code == 2
    assert "--time-scale" in result.output


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (StackError("the stack did not start:\nprometheus: exited\nalertmanager: timeout"), 1),
        (DecisionsError("decisions.yaml: slos.availability = 2; expected a fraction"), 2),
        (PushError("cannot reach the Pushgateway at http://127.0.0.1:1"), 3),
    ],
    ids=["operation failed", "bad input", "unreachable"],
)
def test_the_root_group_maps_each_error_to_its_code_on_one_line(
    error: GlassboxError, code: int
) -> None:
    """The one catch, on a fresh app of the same group class, with each branch of the tree."""
    probe = typer.Typer(cls=GlassboxGroup)

    @probe.command("boom")
    def boom() -> None:
        raise error

    @probe.command("other")
    def other() -> None:  # a second command, so "boom" is a subcommand as in glassbox
        """Unused."""

    result = runner.invoke(probe, ["boom"])
    assert result.exit_code == code
    line = _one_error_line(result.stderr)
    assert line == "error: " + "; ".join(str(error).splitlines())
