"""Evaluator(config): a good config compiles from text, a path or a dict;
a bad one is refused with every problem, as `onstage validate` lists them."""

import json
import pathlib
import subprocess

import pytest

import onstage
from conftest import ONSTAGE, SAAS


def test_accepts_the_reference_config_as_text_path_and_dict():
    text = SAAS.read_text()
    for config in (text, SAAS, json.loads(text), text.encode()):
        ev = onstage.Evaluator(config)
        assert ev.warnings == []


def test_a_bad_config_raises_with_every_problem_as_validate_lists_them(tmp_path):
    config = json.loads(SAAS.read_text())
    config["signals"]["reports_7d"]["window"] = "7 days"
    config["segments"]["power_user"]["when"] = {"signals.nope": 1}
    config["version"] = 2
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(config))
    with pytest.raises(onstage.ConfigError) as caught:
        onstage.Evaluator(path)
    err = caught.value
    assert isinstance(err, onstage.OnstageError) and isinstance(err, ValueError)
    assert err.code == "invalid_config"
    cli = subprocess.run([ONSTAGE, "validate", "--json", str(path)], capture_output=True, text=True)
    assert cli.returncode == 1
    expected = [json.loads(line) for line in cli.stdout.splitlines()]
    assert len(expected) >= 3
    assert err.problems == expected
    assert onstage.validate(path) == expected
    assert all(p["path"] in str(err) for p in expected)


def test_not_json_and_wrong_types():
    with pytest.raises(onstage.ConfigError) as caught:
        onstage.Evaluator("{not json")
    assert [p["code"] for p in caught.value.problems] == ["invalid_json"]
    with pytest.raises(TypeError):
        onstage.Evaluator(42)
