"""``glassbox mixin test``: promtool, amtool and the contract check, for every environment.

The check runner sits above the mixin (its data and rule test cases), the render layer
(the files under test) and the stack (the binaries); it uses their public names only.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from glassbox.check._contract import check_contract
from glassbox.mixin import Decisions, Mixin, build, route_cases, rule_test_file, test_rule_groups
from glassbox.render import dump_yaml, mixin_files, write_files
from glassbox.stack import require_binary

__all__ = ["CheckResult", "run_checks"]


@dataclass(frozen=True)
class CheckResult:
    """One check: what ran, whether it passed, and its output when it did not."""

    env: str
    name: str
    ok: bool
    detail: str = ""


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_binary(args[0]), *args[1:]], capture_output=True, text=True, check=False
    )


def _result(env: str, name: str, proc: subprocess.CompletedProcess[str]) -> CheckResult:
    return CheckResult(env, name, proc.returncode == 0, (proc.stdout + proc.stderr).strip())


def _prepare(mixin: Mixin, out: Path) -> Path:
    write_files(mixin_files(mixin), out)
    recording, alerting = test_rule_groups(mixin)
    tests = out / "tests"
    rule_files = [str(tests / "recording.yml"), str(tests / "alerts.yml")]
    write_files(
        {
            "tests/recording.yml": dump_yaml({"groups": recording}),
            "tests/alerts.yml": dump_yaml({"groups": alerting}),
            "tests/rules.test.yml": dump_yaml(rule_test_file(mixin, rule_files)),
        },
        out,
    )
    return tests / "rules.test.yml"


def run_checks(
    decisions: Decisions,
    workdir: Path,
    envs: Iterable[str] | None = None,
    *,
    exposition: str | None = None,
    progress: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    """Run every check for ``envs`` (all environments by default).

    Args:
        decisions: The decisions file.
        workdir: Where generated files and rule tests are written.
        envs: Environment names.
        exposition: The SDK exposition to check against (default: run the exerciser).
        progress: Called with each result as it completes.

    Returns:
        Every result, passed or failed.
    """
    results: list[CheckResult] = []

    def done(result: CheckResult) -> None:
        results.append(result)
        if progress is not None:
            progress(result)

    names = list(envs) if envs is not None else sorted(decisions.environments)
    mixins = {name: build(decisions.environment(name)) for name in names}
    tests: dict[str, subprocess.Popen[str]] = {}
    for name, mixin in mixins.items():
        test_file = _prepare(mixin, workdir / name)
        # Rule tests are the slow part: start them all, then do the quick checks.
        tests[name] = subprocess.Popen(
            [require_binary("promtool"), "test", "rules", str(test_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    if exposition is None:
        from glassbox.check._exercise import exercise

        exposition = exercise()
    for name, mixin in mixins.items():
        out = workdir / name
        rules = sorted(str(p) for p in (out / "prometheus" / "rules").glob("*.yml"))
        done(
            _result(
                name,
                "promtool check rules --lint=all",
                _run(["promtool", "check", "rules", "--lint=all", *rules]),
            )
        )
        done(
            _result(
                name,
                "promtool check config",
                _run(["promtool", "check", "config", str(out / "prometheus" / "prometheus.yml")]),
            )
        )
        am = str(out / "alertmanager" / "alertmanager.yml")
        done(_result(name, "amtool check-config", _run(["amtool", "check-config", am])))
        failures = []
        cases = route_cases(mixin.env)
        for case in cases:
            proc = _run(
                ["amtool", "config", "routes", "test", f"--config.file={am}", *case.amtool_args()]
            )
            if proc.returncode != 0:
                failures.append(
                    f"{case.labels} -> expected {case.receivers}: {(proc.stdout + proc.stderr).strip()}"  # noqa: E501
                )
        done(
            CheckResult(
                name,
                f"amtool config routes test ({len(cases)} cases)",
                not failures,
                "\n".join(failures),
            )
        )
        violations = check_contract(mixin, exposition)
        done(
            CheckResult(
                name, "contract check", not violations, "\n".join(str(v) for v in violations)
            )
        )
    for name, test in tests.items():
        output, _ = test.communicate()
        done(CheckResult(name, "promtool test rules", test.returncode == 0, output.strip()))
    return results
