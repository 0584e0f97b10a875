"""The decisions file: defaults, merging and errors that name key, value and expectation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from glassbox.mixin import DecisionsError, load_decisions
from glassbox.mixin._decisions import parse_decisions


def _minimal(**env: object) -> dict[str, object]:
    return {
        "defaults": {
            "datasources": {
                k: {"uid": k, "url": f"http://{k}"} for k in ("prometheus", "loki", "tempo")
            },
            "routing": {"critical": "r", "warning": "r", "info": "r"},
            "receivers": {"r": {}},
        },
        "environments": {"dev": env},
    }


def test_default_file_defines_local_and_prod_with_short_local_intervals() -> None:
    decisions = load_decisions()
    assert {"local", "prod"} <= set(decisions.environments)
    local, prod = decisions.environment("local"), decisions.environment("prod")
    assert local.scrape_interval.seconds <= 1 < prod.scrape_interval.seconds
    assert max(local.alert_for[s].seconds for s in local.alert_for) <= 15
    # An environment inherits defaults and overrides only what it names.
    assert prod.thresholds.error_ratio == 0.05
    assert local.thresholds.error_ratio == 0.2


def test_unknown_key_names_the_path_and_the_expected_keys() -> None:
    with pytest.raises(
        DecisionsError,
        match=r"environments\.dev\.thresholds\.error_rate = 0\.1; expected one of the keys",
    ):
        parse_decisions(_minimal(thresholds={"error_rate": 0.1}))


def test_bad_value_names_key_value_and_expectation() -> None:
    with pytest.raises(
        DecisionsError, match=r"environments\.dev\.scrape_interval = 'soon'; expected a duration"
    ):
        parse_decisions(_minimal(scrape_interval="soon"))
    with pytest.raises(
        DecisionsError, match=r"thresholds\.error_ratio = -1; expected a non-negative number"
    ):
        parse_decisions(_minimal(thresholds={"error_ratio": -1}))


def test_routing_to_an_undeclared_receiver_fails() -> None:
    with pytest.raises(DecisionsError, match=r"routing\.critical = 'pager': no such receiver"):
        parse_decisions(_minimal(routing={"critical": "pager", "warning": "r", "info": "r"}))


def test_inline_secret_is_rejected_with_a_hint_to_use_a_file() -> None:
    bad = _minimal(receivers={"r": {"slack": {"api_url": "https://hooks.slack.com/x"}}})
    with pytest.raises(DecisionsError, match=r"slack\.api_url: unknown key.*api_url_file"):
        parse_decisions(bad)


def test_latency_threshold_must_be_a_bucket_bound() -> None:
    with pytest.raises(
        DecisionsError, match=r"latency_threshold_seconds = 3\.0; expected a bucket bound"
    ):
        parse_decisions(_minimal(slos={"latency_threshold_seconds": 3}))


def test_burn_rate_that_can_never_fire_is_rejected() -> None:
    with pytest.raises(DecisionsError, match=r"could never fire"):
        parse_decisions(_minimal(slos={"latency": 0.9, "page_windows": [["1h", "5m", 14.4]]}))


def test_unknown_environment_lists_the_known_ones(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(yaml.safe_dump(_minimal()))
    with pytest.raises(DecisionsError, match=r"no environment 'staging'; expected one of: dev"):
        load_decisions(path).environment("staging")


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(DecisionsError, match="cannot read decisions file"):
        load_decisions(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("environments: [unclosed")
    with pytest.raises(DecisionsError, match="not valid YAML"):
        load_decisions(bad)
