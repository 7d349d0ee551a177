"""``wbm synth`` on the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pipeline.cli import cli, main


def test_synth_writes_a_wave_and_prints_a_summary(tmp_path):
    out = tmp_path / "wave"
    result = CliRunner().invoke(cli, ["synth", "--out", str(out), "--size", "1500", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.output and "invited" in result.output and "1,500" in result.output
    assert "paper forms" in result.output and "web records" in result.output
    assert json.loads((out / "wave.json").read_text())["seed"] == 3


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--size", "0"], "--size"),
        (["--seed", "-1"], "--seed"),
        (["--size", "99999999"], "population size"),
        (["--questionnaire", "no-such-questionnaire"], "not found"),
    ],
)
def test_user_mistakes_give_a_message_not_a_traceback(tmp_path, capsys, args, fragment):
    with pytest.raises(SystemExit) as exc:
        main(["synth", "--out", str(tmp_path / "w"), *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_out_must_not_be_a_file(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(SystemExit) as exc:
        main(["synth", "--out", str(f), "--size", "100"])
    assert exc.value.code == 2


@pytest.mark.parametrize(
    "qid, fragment",
    [
        ("wbm-zelfstandigen-2023", "model zelfstandigen-2023"),
        ("oe-2025", "interviews"),
        ("wbm-werknemers-2019", "model werknemers-2019"),
        ("pc126", "model pc126-2025"),
    ],
)
def test_synth_works_for_every_instrument(tmp_path, qid, fragment):
    out = tmp_path / "wave"
    args = ["synth", "--out", str(out), "--questionnaire", qid, "--size", "800", "--seed", "2"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert fragment in result.output and "SYNTHETIC" in result.output


def test_an_unknown_model_is_a_message(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["synth", "--out", str(tmp_path / "w"), "--model", "no-such-model"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "werknemers-2023" in err and "Traceback" not in err
