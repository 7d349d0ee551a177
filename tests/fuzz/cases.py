"""The cases: every command of ``wbm`` on broken inputs of each class (one line per case).

Exit codes (docs/errors.md): 0 success (``validate``: every input read, rows may be set aside), 1 a
data file, run or output that cannot be used, 2 a spec, option or output location that is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from pipeline.rundata import layout
from pipeline.spreadsheet import needs_quote

from . import corpus as C
from .harness import Env, Result
from .registry import register

Q = "wbm-werknemers-2023"


# -- checks ---------------------------------------------------------------------------------------
def balanced(e: Env, r: Result) -> None:
    """validate: every input row is accepted or set aside, in the summary and in the files."""
    lines = re.findall(r"(\d+) read = (\d+) accepted \+ (\d+) set aside", r.out)
    assert lines, r.out
    read = sum(int(a) for a, _, _ in lines)
    assert all(int(a) == int(b) + int(c) for a, b, c in lines)
    acc = pd.read_parquet(e.out / "accepted.parquet")
    aside = pd.read_parquet(e.out / "set_aside.parquet")
    assert len(acc) + len(aside) == read > 0


def no_formula_in(*names: str):
    def check(e: Env, r: Result) -> None:
        for name in names:
            text = (e.out / name).read_text(encoding="utf-8")
            cells = [c for line in text.splitlines() for c in line.split(",")]
            assert not any(needs_quote(c.strip('"')) for c in cells), name

    return check


def codebook_escaped(e: Env, r: Result) -> None:
    md = next(e.out.glob("*.md")).read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)<script", md) and "[klik](" not in md


def readme_escaped(e: Env, r: Result) -> None:
    text = (e.out / "README.md").read_text(encoding="utf-8")
    assert r"\<script>alert(1)\</script> \[klik\](http://evil.example)" in text
    assert not re.search(r"(?<!\\)<script", text)


def _questionnaire(e: Env, text: str | bytes) -> str:
    return e.file("q.yaml", text)


def _check_argv(text: Callable[[Env], str | bytes]) -> Callable[[Env], list[str]]:
    return lambda e: ["questionnaire", "check", _questionnaire(e, text(e))]


def _label(e: Env, label: str) -> str:
    """The shipped questionnaire with the first item label replaced by ``label``."""
    text = e.src.questionnaire.replace("{nl: geslacht, en: sex}", f"{{nl: '{label}', en: sex}}", 1)
    assert text != e.src.questionnaire
    return _questionnaire(e, text)


def _with_id(e: Env, new_id: str) -> str:
    text = re.sub(r"(?m)^(  id: )\S+", rf"\g<1>'{new_id}'", e.src.questionnaire, count=1)
    assert text != e.src.questionnaire
    return _questionnaire(e, text)


def _request(e: Env, text: str | bytes) -> str:
    return e.file("request.yaml", text)


def _profile(e: Env, text: str | bytes) -> str:
    return e.file("profile.yaml", text)


def _margins(e: Env, *, csv: bytes | None = None, meta: str | None = None) -> str:
    e.file("margins.yaml", meta if meta is not None else e.src.margins_yaml)
    return e.file("margins.csv", csv if csv is not None else e.src.margins_csv)


def _paper(e: Env, data: bytes, name: str = "paper.csv") -> list[str]:
    return ["validate", "-q", Q, "-i", f"paper:{e.file(name, data)}", "--out", str(e.out)]


EST = "w,x,g\n" + "".join(f"{1 + i % 3},{i % 2},{'=1+1' if i % 2 else 'b'}\n" for i in range(40))

# -- synth -----------------------------------------------------------------------------------------
register(
    "synth",
    "out_under_file",
    lambda e: ["synth", "--out", e.under_file(), "--size", "200"],
    exit=2,
    code="cannot_write",
)
register(
    "synth",
    "out_in_proc",
    lambda e: ["synth", "--out", "/proc/wbm-fuzz", "--size", "200"],
    exit=2,
    code="cannot_write",
)
register(
    "synth",
    "questionnaire_alias_bomb",
    lambda e: [
        "synth",
        "--out",
        str(e.out),
        "--size",
        "200",
        "--questionnaire",
        _questionnaire(e, C.YAML_BOMB),
    ],
    exit=2,
)
register("synth", "size_zero", lambda e: ["synth", "--out", str(e.out), "--size", "0"], exit=2)
# -- demo ------------------------------------------------------------------------------------------
register(
    "demo",
    "out_under_file",
    lambda e: ["demo", "--out", e.under_file(), "--size", "500"],
    exit=2,
    code="cannot_write",
)
register(
    "demo",
    "out_in_sys",
    lambda e: ["demo", "--out", "/sys/wbm-fuzz", "--size", "500"],
    exit=2,
    code="cannot_write",
)
register("demo", "size_too_small", lambda e: ["demo", "--out", str(e.out), "--size", "5"], exit=2)
register(
    "demo", "unknown_survey", lambda e: ["demo", "--out", str(e.out), "--survey", "nope"], exit=2
)
register(
    "demo",
    "survey_out_under_file",
    lambda e: ["demo", "--out", e.under_file(), "--survey", "oe"],
    exit=2,
    code="cannot_write",
)
# -- benchmark -------------------------------------------------------------------------------------
register(
    "benchmark",
    "no_such_config",
    lambda e: [
        "benchmark",
        "--run",
        e.run(),
        "--main",
        e.run(),
        "--config",
        "nope",
        "--out",
        str(e.out),
    ],
    exit=2,
    code="benchmark_spec",
)
register(
    "benchmark",
    "config_not_yaml",
    lambda e: [
        "benchmark",
        "--run",
        e.run(),
        "--main",
        e.run(),
        "--config",
        e.file("b.yaml", b"kind: [\n\x00"),
        "--out",
        str(e.out),
    ],
    exit=2,
    code="benchmark_spec",
)
register(
    "benchmark",
    "out_under_file",
    lambda e: ["benchmark", "--run", e.run(), "--main", e.run(), "--out", e.under_file()],
    exit=2,
    code="cannot_write",
)
register(
    "benchmark",
    "policy_not_a_policy",
    lambda e: [
        "benchmark",
        "--run",
        e.run(),
        "--main",
        e.run(),
        "--out",
        str(e.out),
        "--policy",
        e.file("policy.yaml", "kind: something\n"),
    ],
    exit=2,
    code="bad_policy",
)
register(
    "benchmark",
    "no_run",
    lambda e: ["benchmark", "--run", str(e.out / "none"), "--main", e.run(), "--out", str(e.out)],
    exit=2,
)
# -- run -------------------------------------------------------------------------------------------
register(
    "run",
    "wave_json_broken",
    lambda e: ["run", "--wave", e.wave('{"questionnaire": "x", "inputs": ['), "--out", str(e.out)],
    exit=1,
    code="bad_json",
)
register(
    "run",
    "wave_json_escaping_input",
    lambda e: [
        "run",
        "--wave",
        e.wave(
            '{"questionnaire": "wbm-werknemers-2023", "inputs": [{"path": "../../../etc/passwd"}], "margins": "population.csv"}'
        ),
        "--out",
        str(e.out),
    ],
    exit=1,
    code="bad_wave",
)
register(
    "run",
    "wave_json_not_an_object",
    lambda e: ["run", "--wave", e.wave("[1, 2]"), "--out", str(e.out)],
    exit=1,
    code="bad_json",
)
register(
    "run",
    "out_under_file",
    lambda e: ["run", "--wave", e.wave(), "--out", e.under_file()],
    exit=2,
    code="cannot_write",
)
register(
    "run",
    "stage_on_damaged_manifest",
    lambda e: ["run", "--wave", e.wave(), "--out", e.run(damage="manifest"), "--stage", "estimate"],
    exit=1,
)
register(
    "run",
    "margins_latin1",
    lambda e: [
        "run",
        "--questionnaire",
        Q,
        "--input",
        f"paper:{e.file('p.csv', e.src.paper_csv)}",
        "--margins",
        _margins(e, csv=C.latin1(e.src.margins_csv.decode())),
        "--out",
        str(e.out),
    ],
    exit=2,
)
register(
    "run",
    "bounds_not_two_numbers",
    lambda e: ["run", "--wave", e.wave(), "--out", str(e.out), "--bounds", "0.5"],
    exit=2,
    code="bad_option",
)
register(
    "run",
    "trim_cap_negative",
    lambda e: ["run", "--wave", e.wave(), "--out", str(e.out), "--trim-cap", "-3"],
    exit=2,
    code="bad_option",
)
# -- validate --------------------------------------------------------------------------------------
register(
    "validate",
    "utf16_with_bom",
    lambda e: _paper(e, C.utf16(e.src.paper_csv.decode())),
    exit=0,
    check=balanced,
)
register(
    "validate",
    "utf16_declared",
    lambda e: [*_paper(e, C.utf16(e.src.paper_csv.decode(), bom=False)), "--encoding", "utf-16"],
    exit=0,
    check=balanced,
)
register(
    "validate",
    "utf16_undeclared_no_bom",
    lambda e: _paper(e, C.utf16(e.src.paper_csv.decode(), bom=False)),
    exit=1,
    code="file_format",
)
register(
    "validate",
    "latin1",
    lambda e: _paper(e, C.latin1(e.src.paper_csv.decode())),
    exit=0,
    check=balanced,
)
register(
    "validate",
    "cr_only_line_endings",
    lambda e: _paper(e, C.cr_only(e.src.paper_csv)),
    exit=0,
    check=balanced,
)
register("validate", "binary_as_csv", lambda e: _paper(e, C.BINARY), exit=1)
register(
    "validate",
    "truncated_mid_row",
    lambda e: _paper(e, C.cut_mid_line(e.src.paper_csv)),
    exit=1,
    code="file_truncated",
)
register("validate", "empty_file", lambda e: _paper(e, b""), exit=1, code="file_empty")
register(
    "validate",
    "duplicated_column",
    lambda e: _paper(e, C.duplicate_header(e.src.paper_csv)),
    exit=1,
    code="columns_duplicate",
)
register(
    "validate",
    "unknown_encoding",
    lambda e: [*_paper(e, e.src.paper_csv), "--encoding", "klingon-8"],
    exit=1,
    code="file_encoding",
)
register(
    "validate",
    "xlsx_truncated_sheet",
    lambda e: _paper(e, C.truncate_zip_member(e.src.xlsx_input, "sheet1.xml"), "paper.xlsx"),
    exit=1,
)
register("validate", "xlsx_cut", lambda e: _paper(e, C.cut(e.src.xlsx_input), "paper.xlsx"), exit=1)
register(
    "validate",
    "sav_cut",
    lambda e: [
        "validate",
        "-q",
        Q,
        "-i",
        f"web:{e.file('web.sav', C.cut(e.src.web_sav.read_bytes()))}",
        "--out",
        str(e.out),
    ],
    exit=1,
)
register(
    "validate",
    "formula_in_answers",
    lambda e: _paper(e, e.src.paper_csv.replace(b"B001", b"=cmd|' /C calc'!A0", 3)),
    exit=0,
    check=balanced,
)
register(
    "validate",
    "questionnaire_duplicate_key",
    lambda e: [
        "validate",
        "-q",
        _questionnaire(e, C.duplicate_key(e.src.questionnaire, "schema_version", "1")),
        "-i",
        e.file("p.csv", e.src.paper_csv),
        "--out",
        str(e.out),
    ],
    exit=2,
)
register(
    "validate",
    "out_under_file",
    lambda e: [
        "validate",
        "-q",
        Q,
        "-i",
        e.file("p.csv", e.src.paper_csv),
        "--out",
        e.under_file(),
    ],
    exit=2,
    code="cannot_write",
)
register(
    "validate",
    "out_in_proc",
    lambda e: [
        "validate",
        "-q",
        Q,
        "-i",
        e.file("p.csv", e.src.paper_csv),
        "--out",
        "/proc/wbm-fuzz",
    ],
    exit=2,
    code="cannot_write",
)
# -- weight ----------------------------------------------------------------------------------------
register(
    "weight",
    "cr_only_data",
    lambda e: [
        "weight",
        "--data",
        e.file("d.csv", C.cr_only(e.src.weight_csv)),
        "--margins",
        _margins(e),
        "--out",
        str(e.out / "w.csv"),
    ],
    exit=0,
)
register(
    "weight",
    "utf16_data",
    lambda e: [
        "weight",
        "--data",
        e.file("d.csv", C.utf16(e.src.weight_csv.decode())),
        "--margins",
        _margins(e),
        "--out",
        str(e.out / "w.csv"),
    ],
    exit=0,
)
register(
    "weight",
    "duplicated_column",
    lambda e: [
        "weight",
        "--data",
        e.file("d.csv", C.duplicate_header(e.src.weight_csv)),
        "--margins",
        _margins(e),
        "--out",
        str(e.out / "w.csv"),
    ],
    exit=1,
    code="duplicate_column",
)
register(
    "weight",
    "binary_data",
    lambda e: [
        "weight",
        "--data",
        e.file("d.csv", C.BINARY),
        "--margins",
        _margins(e),
        "--out",
        str(e.out / "w.csv"),
    ],
    exit=1,
)
register(
    "weight",
    "margins_meta_alias_bomb",
    lambda e: [
        "weight",
        "--data",
        e.file("d.csv", e.src.weight_csv),
        "--margins",
        _margins(e, meta=C.YAML_BOMB),
        "--out",
        str(e.out / "w.csv"),
    ],
    exit=2,
)
register(
    "weight",
    "margins_meta_duplicate_key",
    lambda e: [
        "weight",
        "--data",
        e.file("d.csv", e.src.weight_csv),
        "--margins",
        _margins(e, meta=C.duplicate_key(e.src.margins_yaml, "synthetic", "false")),
        "--out",
        str(e.out / "w.csv"),
    ],
    exit=2,
)
register(
    "weight",
    "margins_variable_typo",
    lambda e: [
        "weight",
        "--data",
        e.file("d.csv", e.src.weight_csv),
        "--margins",
        _margins(e, csv=e.src.margins_csv.replace(b"\nsex,", b"\nsexe,")),
        "--out",
        str(e.out / "w.csv"),
    ],
    exit=1,
    code="missing_column",
)
register(
    "weight",
    "out_in_proc",
    lambda e: [
        "weight",
        "--data",
        e.file("d.csv", e.src.weight_csv),
        "--margins",
        _margins(e),
        "--out",
        "/proc/wbm-fuzz.csv",
    ],
    exit=2,
    code="cannot_write",
)
register(
    "weight",
    "out_is_a_folder",
    lambda e: [
        "weight",
        "--data",
        e.file("d.csv", e.src.weight_csv),
        "--margins",
        _margins(e),
        "--out",
        str(e.inp),
    ],
    exit=2,
)
# -- estimate --------------------------------------------------------------------------------------
register(
    "estimate",
    "duplicated_column",
    lambda e: [
        "estimate",
        "--data",
        e.file("d.csv", "w,x,x\n1,1,0\n2,0,1\n"),
        "--weight",
        "w",
        "--indicators",
        "x",
        "--out",
        str(e.out / "e.csv"),
    ],
    exit=1,
    code="duplicate_column",
)
register(
    "estimate",
    "formula_levels",
    lambda e: [
        "estimate",
        "--data",
        e.file("d.csv", EST),
        "--weight",
        "w",
        "--indicators",
        "x",
        "--by",
        "g",
        "--out",
        str(e.out / "e.csv"),
    ],
    exit=0,
    check=no_formula_in("e.csv"),
)
register(
    "estimate",
    "cr_only_data",
    lambda e: [
        "estimate",
        "--data",
        e.file("d.csv", C.cr_only(EST.encode())),
        "--weight",
        "w",
        "--indicators",
        "x",
        "--out",
        str(e.out / "e.csv"),
    ],
    exit=0,
)
register(
    "estimate",
    "truncated_parquet",
    lambda e: [
        "estimate",
        "--data",
        e.file(
            "d.parquet",
            C.cut(layout.stage_file(e.src.run_dir, "score", layout.SCORED).read_bytes()),
        ),
        "--weight",
        "weight",
        "--indicators",
        "werkstress",
        "--out",
        str(e.out / "e.csv"),
    ],
    exit=1,
    code="unreadable",
)
register(
    "estimate",
    "out_under_file",
    lambda e: [
        "estimate",
        "--data",
        e.file("d.csv", EST),
        "--weight",
        "w",
        "--indicators",
        "x",
        "--out",
        e.under_file(),
    ],
    exit=2,
    code="cannot_write",
)
ESTM = "variable,level,total\nx,0,600\nx,1,400\n"  # margins on EST's x


def _estimate_with(extra: list[str]) -> Callable[[Env], list[str]]:
    """``wbm estimate`` on EST with extra options; ``M`` stands for a margins file on EST's x."""

    def argv(e: Env) -> list[str]:
        margins = [e.file("m.csv", ESTM) if a == "M" else a for a in extra]
        return ["estimate", "--data", e.file("d.csv", EST), *margins, "--indicators", "x"] + [
            "--out",
            str(e.out / "e.csv"),
        ]

    return argv


for _name, _extra, _exit, _code in (
    ("calibration_option_without_margins", ["--weight", "w", "--trim-cap", "2"], 2, "bad_option"),
    ("bounds_not_numbers", ["--margins", "M", "--bounds", "low,high"], 2, "bad_option"),
    ("logit_without_bounds", ["--margins", "M", "--method", "logit"], 1, "bad_bounds"),
    ("negative_trim_cap", ["--margins", "M", "--trim-cap", "-5"], 1, "bad_option"),
    ("infeasible_trim_cap", ["--margins", "M", "--trim-cap", "1"], 0, None),
):
    register(
        "estimate",
        _name,
        _estimate_with(_extra),
        exit=_exit,
        code=_code,
    )
# -- report ----------------------------------------------------------------------------------------
register(
    "report",
    "truncated_estimates",
    lambda e: [
        "report",
        "--run",
        e.run(damage="estimates_truncated"),
        "--sector",
        "4",
        "--out",
        str(e.out),
    ],
    exit=1,
)
register(
    "report",
    "no_run",
    lambda e: ["report", "--run", str(e.root / "nope"), "--sector", "4", "--out", str(e.out)],
    exit=2,
)
register(
    "report",
    "out_under_file",
    lambda e: ["report", "--run", e.run(), "--sector", "4", "--out", e.under_file()],
    exit=2,
    code="cannot_write",
)
# -- table -----------------------------------------------------------------------------------------
register(
    "table",
    "request_utf16",
    lambda e: ["table", _request(e, C.utf16(e.src.request)), "--run", e.run(), "--out", str(e.out)],
    exit=2,
)
register(
    "table",
    "request_latin1",
    lambda e: [
        "table",
        _request(e, C.latin1(e.src.request)),
        "--run",
        e.run(),
        "--out",
        str(e.out),
    ],
    exit=2,
)
register(
    "table",
    "request_binary",
    lambda e: ["table", _request(e, C.BINARY), "--run", e.run(), "--out", str(e.out)],
    exit=2,
)
register(
    "table",
    "rows_twice",
    lambda e: [
        "table",
        _request(e, C.duplicate_key(e.src.request, "rows", "sex")),
        "--run",
        e.run(),
        "--out",
        str(e.out),
    ],
    exit=2,
)
register(
    "table",
    "alias_bomb",
    lambda e: ["table", _request(e, C.YAML_BOMB), "--run", e.run(), "--out", str(e.out)],
    exit=2,
)
register(
    "table",
    "escaping_id",
    lambda e: [
        "table",
        _request(e, C.replace_line(e.src.request, "id", f"id: '{C.ESCAPE_ID}'")),
        "--run",
        e.run(),
        "--out",
        str(e.out),
    ],
    exit=2,
)
register(
    "table",
    "variable_typo",
    lambda e: [
        "table",
        _request(e, C.replace_line(e.src.request, "rows", "rows: age_bnd")),
        "--run",
        e.run(),
        "--out",
        str(e.out),
    ],
    exit=2,
)
register(
    "table",
    "benchmark_group_level_unknown",
    lambda e: [
        "table",
        _request(
            e,
            C.replace_line(
                e.src.request,
                "language",
                "language: nl\nbenchmark: {variable: age_band, level: 99}",
            ),
        ),
        "--run",
        e.run(),
        "--out",
        str(e.out),
    ],
    exit=2,
)
register(
    "table",
    "benchmark_not_a_breakdown",
    lambda e: [
        "table",
        _request(
            e,
            C.replace_line(
                e.src.request, "language", "language: nl\nbenchmark: {variable: sector, level: 4}"
            ),
        ),
        "--run",
        e.run(),
        "--out",
        str(e.out),
    ],
    exit=2,
    code="request_invalid",
)
register(
    "table",
    "p_value_without_benchmark",
    lambda e: [
        "table",
        _request(
            e, C.replace_line(e.src.request, "statistics", "statistics: [percent, ci, p_value]")
        ),
        "--run",
        e.run(),
        "--out",
        str(e.out),
    ],
    exit=2,
    code="request_invalid",
)
register(
    "table",
    "out_in_proc",
    lambda e: ["table", _request(e, e.src.request), "--run", e.run(), "--out", "/proc/wbm-fuzz"],
    exit=2,
    code="cannot_write",
)
register(
    "table",
    "damaged_manifest",
    lambda e: [
        "table",
        _request(e, e.src.request),
        "--run",
        e.run(damage="manifest"),
        "--out",
        str(e.out),
    ],
    exit=1,
    code="bad_json",
)


def _policy(e: Env, change: Callable[[str], str]) -> str:
    """The reference policy (``change`` applied to its text) with the reference registry."""
    from pipeline.paths import PUBLISHER_DIR

    e.file("publisher/requesters.yaml", (PUBLISHER_DIR / "requesters.yaml").read_bytes())
    text = (PUBLISHER_DIR / "policy.yaml").read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text
    return e.file("publisher/policy.yaml", changed)


def _replaced(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _origin_request(e: Env) -> str:
    return _request(e, C.replace_line(e.src.request, "rows", "rows: origin"))


_SENSITIVE_ORIGIN = re.compile(r"(?m)^    origin: .*$")
_NO_SENSITIVE = re.compile(r"(?m)^  sensitive_breakdowns:.*\n    origin: .*\n")
register(
    "table",
    "origin_not_allowed_by_policy",
    lambda e: [
        "table",
        _origin_request(e),
        "--run",
        e.run(),
        "--out",
        str(e.out),
        "--policy",
        _policy(e, lambda t: _NO_SENSITIVE.sub("", t)),
    ],
    exit=2,
)
register(
    "table",
    "policy_sensitive_not_register_only",
    lambda e: [
        "table",
        _request(e, e.src.request),
        "--run",
        e.run(),
        "--out",
        str(e.out),
        "--policy",
        _policy(e, lambda t: _SENSITIVE_ORIGIN.sub("    pv01: {min_n_percent: 50}", t)),
    ],
    exit=2,
    code="bad_policy",
)
register(
    "table",
    "policy_sensitive_negative_minimum",
    lambda e: [
        "table",
        _origin_request(e),
        "--run",
        e.run(),
        "--out",
        str(e.out),
        "--policy",
        _policy(e, lambda t: _SENSITIVE_ORIGIN.sub("    origin: {min_n_percent: -5}", t)),
    ],
    exit=2,
    code="bad_policy",
)
register(
    "table",
    "origin_filter_unknown_level",
    lambda e: [
        "table",
        _request(
            e,
            e.src.request.replace(
                "  - {variable: statute, exclude: [3]}",
                "  - {variable: origin, levels: [9]}",
            ),
        ),
        "--run",
        e.run(),
        "--out",
        str(e.out),
    ],
    exit=2,
)
# -- release ---------------------------------------------------------------------------------------
register(
    "release",
    "profile_releases_origin",
    lambda e: [
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        _profile(
            e, _replaced(e.src.profile, "  released: [working,", "  released: [origin, working,")
        ),
        "--run",
        e.run(),
        "--out",
        str(e.out),
        "--no-pdf",
    ],
    exit=2,
    code="profile_mismatch",
)
register(
    "release",
    "drop_typo",
    lambda e: [
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        _profile(e, e.src.profile.replace("fa, duration_sec]", "fa, duraton_sec]")),
        "--run",
        e.run(),
        "--out",
        str(e.out),
        "--no-pdf",
    ],
    exit=2,
    code="profile_mismatch",
)
register(
    "release",
    "k_twice",
    lambda e: [
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        _profile(e, C.duplicate_key(e.src.profile, "k", "3")),
        "--run",
        e.run(),
        "--out",
        str(e.out),
        "--no-pdf",
    ],
    exit=2,
    code="profile_yaml",
)
register(
    "release",
    "profile_utf16",
    lambda e: [
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        _profile(e, C.utf16(e.src.profile)),
        "--run",
        e.run(),
        "--out",
        str(e.out),
        "--no-pdf",
    ],
    exit=2,
    code="profile_yaml",
)
register(
    "release",
    "profile_binary",
    lambda e: [
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        _profile(e, C.BINARY),
        "--run",
        e.run(),
        "--out",
        str(e.out),
        "--no-pdf",
    ],
    exit=2,
    code="profile_yaml",
)
register(
    "release",
    "profile_python_tag",
    lambda e: [
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        _profile(e, C.PYTHON_TAG),
        "--run",
        e.run(),
        "--out",
        str(e.out),
        "--no-pdf",
    ],
    exit=2,
    code="profile_yaml",
)
register(
    "release",
    "out_under_file",
    lambda e: [
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        "public-use",
        "--run",
        e.run(),
        "--out",
        e.under_file(),
        "--no-pdf",
    ],
    exit=2,
    code="cannot_write",
)
register(
    "release",
    "truncated_scored",
    lambda e: [
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        "public-use",
        "--run",
        e.run(damage="scored_truncated"),
        "--out",
        str(e.out),
        "--no-pdf",
    ],
    exit=1,
)
# -- questionnaire ---------------------------------------------------------------------------------
for _name, _text, _exit in (
    ("duplicate_key", lambda e: C.duplicate_key(e.src.questionnaire, "schema_version", "1"), 2),
    ("alias_bomb", lambda e: C.YAML_BOMB, 2),
    ("deep_nesting", lambda e: C.DEEP_YAML, 2),
    ("python_tag", lambda e: C.PYTHON_TAG, 2),
    ("utf16", lambda e: C.utf16(e.src.questionnaire), 2),
    ("latin1", lambda e: C.latin1(e.src.questionnaire), 2),
    ("binary", lambda e: C.BINARY, 2),
    (
        "truncated",
        lambda e: C.cut(e.src.questionnaire.encode(), 0.4),
        2,
    ),  # mid-item (a cut at an item boundary is a valid, shorter questionnaire)
):
    register("questionnaire check", _name, _check_argv(_text), exit=_exit)
register(
    "questionnaire check",
    "escaping_id",
    lambda e: ["questionnaire", "check", _with_id(e, "../../../tmp/pwn")],
    exit=2,
)
register(
    "questionnaire check",
    "missing_file",
    lambda e: ["questionnaire", "check", str(e.inp / "nope.yaml")],
    exit=2,
)
register(
    "questionnaire codebook",
    "escaping_id",
    lambda e: ["questionnaire", "codebook", _with_id(e, C.ESCAPE_ID)],
    exit=2,
)
register(
    "questionnaire codebook",
    "markup_label",
    lambda e: [
        "questionnaire",
        "codebook",
        _label(e, C.MARKUP),
        "--out",
        str(e.out),
        "--format",
        "md",
    ],
    exit=0,
    check=codebook_escaped,
)
register(
    "questionnaire codebook",
    "label_3000_chars",
    lambda e: ["questionnaire", "codebook", _label(e, "x" * 3000), "--out", str(e.out)],
    exit=0,
)
register(
    "questionnaire codebook",
    "out_in_proc",
    lambda e: ["questionnaire", "codebook", Q, "--out", "/proc/wbm-fuzz"],
    exit=2,
    code="cannot_write",
)
register(
    "questionnaire proof",
    "escaping_id",
    lambda e: ["questionnaire", "proof", _with_id(e, C.ESCAPE_ID)],
    exit=2,
)
register(
    "questionnaire proof",
    "out_under_file",
    lambda e: ["questionnaire", "proof", Q, "--out", e.under_file()],
    exit=2,
    code="cannot_write",
)
register(
    "questionnaire proof",
    "formula_label",
    lambda e: ["questionnaire", "proof", _label(e, C.FORMULA), "--out", str(e.out / "p.html")],
    exit=0,
)
register(
    "questionnaire diff",
    "utf16",
    lambda e: ["questionnaire", "diff", Q, _questionnaire(e, C.utf16(e.src.questionnaire))],
    exit=2,
)
register(
    "questionnaire diff",
    "alias_bomb",
    lambda e: ["questionnaire", "diff", _questionnaire(e, C.YAML_BOMB), Q],
    exit=2,
)
register(
    "questionnaire import-xlsform",
    "truncated_sheet",
    lambda e: [
        "questionnaire",
        "import-xlsform",
        e.file("f.xlsx", C.truncate_zip_member(e.src.xlsform, "sheet1.xml")),
        "--out",
        str(e.out / "q.yaml"),
    ],
    exit=2,
)
register(
    "questionnaire import-xlsform",
    "cut_workbook",
    lambda e: [
        "questionnaire",
        "import-xlsform",
        e.file("f.xlsx", C.cut(e.src.xlsform)),
        "--out",
        str(e.out / "q.yaml"),
    ],
    exit=2,
)
register(
    "questionnaire import-xlsform",
    "not_a_workbook",
    lambda e: [
        "questionnaire",
        "import-xlsform",
        e.file("f.xlsx", C.BINARY),
        "--out",
        str(e.out / "q.yaml"),
    ],
    exit=2,
)
register(
    "questionnaire import-xlsform",
    "escaping_form_id",
    lambda e: [
        "questionnaire",
        "import-xlsform",
        e.file("f.xlsx", _xlsform_with_id(e, "../../../tmp/pwn")),
        "--out",
        str(e.out / "q.yaml"),
    ],
    exit=0,  # XLSForm ids are made slugs on import (docs/xlsform.md): no path can come of it
    check=lambda e, r: _imported_id_is_a_slug(e),
)
register(
    "questionnaire import-xlsform",
    "out_under_file",
    lambda e: [
        "questionnaire",
        "import-xlsform",
        e.file("f.xlsx", e.src.xlsform),
        "--out",
        e.under_file(),
    ],
    exit=2,
    code="cannot_write",
)
register(
    "questionnaire resolve",
    "out_in_proc",
    lambda e: ["questionnaire", "resolve", "pc126", "--out", "/proc/wbm-fuzz.yaml"],
    exit=2,
    code="cannot_write",
)

# -- questionnaire map -----------------------------------------------------------------------------
register(
    "questionnaire map",
    "utf16_declared",
    lambda e: [
        "questionnaire",
        "map",
        "-q",
        Q,
        "-i",
        e.file("p.csv", C.utf16(e.src.paper_csv.decode(), bom=False)),
        "--encoding",
        "utf-16",
        "--out",
        str(e.out / "m.yaml"),
    ],
    exit=0,
)
register(
    "questionnaire map",
    "cr_only",
    lambda e: [
        "questionnaire",
        "map",
        "-q",
        Q,
        "-i",
        e.file("p.csv", C.cr_only(e.src.paper_csv)),
        "--out",
        str(e.out / "m.yaml"),
    ],
    exit=0,
)
register(
    "questionnaire map",
    "binary",
    lambda e: ["questionnaire", "map", "-q", Q, "-i", e.file("p.csv", C.BINARY)],
    exit=1,
)
register(
    "questionnaire map",
    "out_in_proc",
    lambda e: [
        "questionnaire",
        "map",
        "-q",
        Q,
        "-i",
        e.file("p.csv", e.src.paper_csv),
        "--out",
        "/proc/wbm-fuzz.yaml",
    ],
    exit=2,
    code="cannot_write",
)
# -- report (run read strictly) and errors ---------------------------------------------------------
register(
    "report",
    "damaged_manifest",
    lambda e: ["report", "--run", e.run(damage="manifest"), "--sector", "4", "--out", str(e.out)],
    exit=1,
    code="bad_json",
)
register("errors", "unknown_code", lambda e: ["errors", "cannot_wrte"], exit=2, code="bad_option")
register("errors", "markdown", lambda e: ["errors", "--markdown"], exit=0)

# -- stage outputs checked against the manifest; the run's own questionnaire -----------------------
register(
    "release",
    "scored_cut_to_100_rows",
    lambda e: [
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        "public-use",
        "--run",
        e.run(damage="scored_cut"),
        "--out",
        str(e.out),
        "--no-pdf",
    ],
    exit=1,
    code="stage_output_changed",
)
register(
    "table",
    "scored_cut_to_100_rows",
    lambda e: [
        "table",
        _request(e, e.src.request),
        "--run",
        e.run(damage="scored_cut"),
        "--out",
        str(e.out),
    ],
    exit=1,
    code="stage_output_changed",
)
register(
    "run",
    "stage_on_changed_output",
    lambda e: [
        "run",
        "--wave",
        e.wave(),
        "--out",
        e.run(damage="scored_cut"),
        "--stage",
        "estimate",
    ],
    exit=1,
    code="stage_output_changed",
)
register(
    "report",
    "estimates_changed",
    lambda e: [
        "report",
        "--run",
        e.run(damage="estimates_truncated"),
        "--sector",
        "4",
        "--out",
        str(e.out),
    ],
    exit=1,
    code="stage_output_changed",
)
register(
    "report",
    "own_questionnaire_edited",
    lambda e: [
        "report",
        "--run",
        e.run(damage="questionnaire_edited"),
        "--sector",
        "4",
        "--out",
        str(e.out),
    ],
    exit=2,
    code="questionnaire_mismatch",
)
register(
    "report",
    "another_questionnaire_given",
    lambda e: [
        "report",
        "--run",
        e.run(),
        "--sector",
        "4",
        "--questionnaire",
        _label(e, "gender"),
        "--out",
        str(e.out),
    ],
    exit=2,
    code="questionnaire_mismatch",
)
register(
    "release",
    "own_questionnaire_edited",
    lambda e: [
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        "public-use",
        "--run",
        e.run(damage="questionnaire_edited"),
        "--out",
        str(e.out),
        "--no-pdf",
    ],
    exit=2,
    code="questionnaire_mismatch",
)

register(
    "weight",
    "margins_quoted_line_break",
    lambda e: [
        "weight",
        "--data",
        e.file("d.csv", e.src.weight_csv),
        "--margins",
        _margins(e, csv=e.src.margins_csv.replace(b"\nsex,1,", b'\n"se\nx",1,', 1)),
        "--out",
        str(e.out / "w.csv"),
    ],
    exit=2,
    code="margins_invalid",
)

register(
    "release",
    "markup_in_profile_texts",
    lambda e: [
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        _profile(
            e,
            C.replace_line(
                e.src.profile, "title", f'title: {{nl: "{C.MARKUP}", en: "{C.MARKUP}"}}'
            ),
        ),
        "--run",
        e.run(),
        "--out",
        str(e.out),
        "--no-pdf",
    ],
    exit=0,
    check=readme_escaped,
)

# -- archive ---------------------------------------------------------------------------------------
register(
    "archive add",
    "scored_cut_to_100_rows",
    lambda e: ["archive", "add", e.run(damage="scored_cut"), "--archive", str(e.out)],
    exit=2,
    code="archive_bad_run",
)
register(
    "archive add",
    "not_a_run",
    lambda e: ["archive", "add", str(e.inp), "--archive", str(e.out)],
    exit=2,
)
register(
    "archive add",
    "archive_under_file",
    lambda e: ["archive", "add", e.run(), "--archive", e.under_file()],
    exit=2,
    code="cannot_write",
)
register(
    "archive list",
    "not_an_archive",
    lambda e: ["archive", "list", "--archive", e.file("junk/x.txt", "x").rsplit("/", 1)[0]],
    exit=3,
    code="archive_not_found",
)
register(
    "archive check",
    "damaged_archive_json",
    lambda e: ["archive", "check", "--archive", e.archive(damage="archive_json")],
    exit=3,
    code="archive_damaged",
)
register(
    "archive export",
    "escaping_study_id",
    lambda e: [
        "archive",
        "export",
        "../../../escaped-pwn",
        "--archive",
        e.archive(),
        "--out",
        str(e.out),
    ],
    exit=2,
    code="archive_no_wave",
)
register(
    "archive export",
    "out_under_file",
    lambda e: [
        "archive",
        "export",
        "wbm-werknemers-2023",
        "--archive",
        e.archive(),
        "--out",
        e.under_file(),
    ],
    exit=2,
    code="cannot_write",
)
register(
    "archive series",
    "unknown_series",
    lambda e: ["archive", "series", "werkstress", "--series", "nope", "--archive", e.archive()],
    exit=2,
    code="archive_no_series",
)

register(
    "questionnaire export-xlsform",
    "formula_label",
    lambda e: [
        "questionnaire",
        "export-xlsform",
        _label(e, C.FORMULA),
        "--out",
        str(e.out / "f.xlsx"),
    ],
    exit=0,
    check=lambda e, r: _no_formula_cells(e.out / "f.xlsx"),
)
register(
    "questionnaire export-xlsform",
    "escaping_id",
    lambda e: [
        "questionnaire",
        "export-xlsform",
        _with_id(e, C.ESCAPE_ID),
        "--out",
        str(e.out / "f.xlsx"),
    ],
    exit=2,
)
register(
    "questionnaire export-xlsform",
    "out_in_proc",
    lambda e: ["questionnaire", "export-xlsform", Q, "--out", "/proc/wbm-fuzz.xlsx"],
    exit=2,
    code="cannot_write",
)


def _imported_id_is_a_slug(e: Env) -> None:
    from pipeline.outpath import is_id
    from pipeline.specfile import read_yaml

    src, _ = read_yaml(e.out / "q.yaml")
    assert src is not None and is_id(src.data["study"]["id"]) and "/" not in src.data["study"]["id"]


def _no_formula_cells(path) -> None:
    """No cell of the workbook is a formula, and the label is kept exactly as text."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in z.read(n) for n in sheets)
        assert any(
            b"=HYPERLINK" in z.read(n)
            for n in sheets + ["xl/sharedStrings.xml"]
            if n in z.namelist()
        )


def _xlsform_with_id(e: Env, form_id: str) -> bytes:
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(e.src.xlsform))
    ws = wb["settings"]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("form_id") + 1, form_id)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- fieldwork -------------------------------------------------------------------------------------
def _frame(e: Env, change: Callable[[pd.DataFrame], pd.DataFrame] | None = None) -> str:
    """The small demo's sample frame as CSV (``change`` applied), in the case's inputs."""
    df = pd.read_parquet(e.src.wave_dir / "frame.parquet")
    if change is not None:
        df = change(df)
    return e.file("frame.csv", df.to_csv(index=False))


def _fieldwork(e: Env, frame: str, out: str | None = None) -> list[str]:
    return ["fieldwork", "--run", e.run(), "--frame", frame, "--out", out or str(e.out)]


def _set(df: pd.DataFrame, column: str, value: object, row: int = 3) -> pd.DataFrame:
    df = df.astype({column: object})
    df.loc[row, column] = value
    return df


def _markup_ids(df: pd.DataFrame) -> pd.DataFrame:
    extra = df.head(1).copy()
    extra["sample_id"] = C.MARKUP
    return pd.concat([df, extra], ignore_index=True)


def _origin_unknown(e: Env, r: Result) -> None:
    """A unit without origin: origin leaves the response model; a respondent without one would be
    in the breakdown's 'unknown' group."""
    import json

    d = json.loads((e.out / "fieldwork.json").read_text(encoding="utf-8"))
    assert "origin" not in d["variables"]
    assert d["origin"] is None or set(d["origin"]["levels"]) <= {"1", "2", "3", "unknown"}


def _no_markup(e: Env, r: Result) -> None:
    text = (e.out / "fieldwork.html").read_text(encoding="utf-8")
    assert "<script" not in text and "R-indicator" in text


register(
    "fieldwork",
    "call_records_bad",
    lambda e: [
        "fieldwork",
        "--run",
        e.run(),
        "--wave",
        e.wave(),
        "--calls",
        e.file("calls.csv", "org_id,attempt,interviewer,outcome,disposition\nX1,0,,busy,9.9\n"),
        "--out",
        str(e.out),
    ],
    exit=1,
    code="bad_call_record",
)
register(
    "fieldwork",
    "call_records_unit_not_in_frame",
    lambda e: [
        "fieldwork",
        "--run",
        e.run(),
        "--wave",
        e.wave(),
        "--calls",
        e.file(
            "calls.csv",
            "sample_id,attempt,interviewer,outcome,disposition\nNOPE,1,I1,complete,1.1\n",
        ),
        "--out",
        str(e.out),
    ],
    exit=1,
    code="bad_call_record",
)
register(
    "fieldwork",
    "no_frame",
    lambda e: ["fieldwork", "--run", e.run(), "--out", str(e.out)],
    exit=2,
    code="bad_option",
)
register(
    "fieldwork",
    "frame_truncated",
    lambda e: _fieldwork(
        e,
        e.file(
            "frame.parquet",
            C.cut((e.src.wave_dir / "frame.parquet").read_bytes()),
        ),
    ),
    exit=1,
    code="file_format",
)
register(
    "fieldwork",
    "frame_duplicate_id",
    lambda e: _fieldwork(e, _frame(e, lambda d: _set(d, "sample_id", d["sample_id"][0]))),
    exit=1,
    code="frame_id_duplicate",
)
register(
    "fieldwork",
    "frame_bad_disposition",
    lambda e: _fieldwork(e, _frame(e, lambda d: d.assign(disposition=C.FORMULA))),
    exit=1,
    code="bad_disposition",
)
register(
    "fieldwork",
    "frame_unknown_origin",
    lambda e: _fieldwork(e, _frame(e, lambda d: d.assign(origin=7))),
    exit=1,
    code="frame_bad_code",
)
register(
    "fieldwork",
    "frame_text_code",
    lambda e: _fieldwork(e, _frame(e, lambda d: _set(d, "sector", C.FORMULA))),
    exit=1,
    code="frame_bad_code",
)
register(
    "fieldwork",
    "frame_of_another_wave",
    lambda e: _fieldwork(e, _frame(e, lambda d: d.assign(sample_id="X" + d["sample_id"]))),
    exit=2,
    code="frame_unlinked",
)
register(
    "fieldwork",
    "out_under_file",
    lambda e: _fieldwork(e, _frame(e), out=e.under_file()),
    exit=2,
    code="cannot_write",
)
register(
    "fieldwork",
    "damaged_manifest",
    lambda e: [
        "fieldwork",
        "--run",
        e.run(damage="manifest"),
        "--frame",
        _frame(e),
        "--out",
        str(e.out),
    ],
    exit=1,
)
register(
    "fieldwork",
    "policy_not_a_policy",
    lambda e: [*_fieldwork(e, _frame(e)), "--policy", e.file("policy.yaml", "kind: something\n")],
    exit=2,
    code="bad_policy",
)
register(
    "fieldwork",
    "policy_yaml_bomb",
    lambda e: [*_fieldwork(e, _frame(e)), "--policy", e.file("policy.yaml", C.YAML_BOMB)],
    exit=2,
)
register(
    "fieldwork",
    "frame_origin_blank",
    lambda e: _fieldwork(e, _frame(e, lambda d: _set(d, "origin", None))),
    exit=0,
    check=_origin_unknown,
)
register(
    "fieldwork",
    "markup_in_frame_ids",
    lambda e: _fieldwork(e, _frame(e, _markup_ids)),
    exit=0,
    check=_no_markup,
)


# -- plan ------------------------------------------------------------------------------------------
PLAN_TARGETS = """\
kind: wbm-plan-targets
schema_version: 1
domain: sector
domains:
  default: {min_respondents: 50}
budget:
  per_invitation: 1
"""


def _plan(e: Env, targets: str | bytes, out: str | None = None) -> list[str]:
    return [
        "plan",
        "--run",
        e.run(),
        "--wave",
        str(e.src.wave_dir),
        "--targets",
        e.file("targets.yaml", targets),
        "--replications",
        "0",
        "--out",
        out or str(e.out),
    ]


register(
    "plan",
    "targets_missing_file",
    lambda e: [
        "plan",
        "--run",
        e.run(),
        "--wave",
        str(e.src.wave_dir),
        "--targets",
        str(e.out / "nope.yaml"),
        "--out",
        str(e.out),
    ],
    exit=2,
    code="plan_targets_invalid",
)
register(
    "plan",
    "targets_unknown_key",
    lambda e: _plan(e, PLAN_TARGETS.replace("min_respondents", "min_respondent")),
    exit=2,
    code="plan_targets_invalid",
)
register(
    "plan",
    "targets_negative_cost",
    lambda e: _plan(e, PLAN_TARGETS.replace("per_invitation: 1", "per_invitation: -1")),
    exit=2,
    code="plan_targets_invalid",
)
register(
    "plan",
    "targets_no_target",
    lambda e: _plan(e, PLAN_TARGETS.replace("{min_respondents: 50}", "{}")),
    exit=2,
    code="plan_targets_invalid",
)
register(
    "plan",
    "targets_unknown_domain",
    lambda e: _plan(e, PLAN_TARGETS.replace("domain: sector", "domain: nationality")),
    exit=2,
    code="plan_targets_invalid",
)
register(
    "plan",
    "targets_not_a_mapping",
    lambda e: _plan(e, "- a\n- b\n"),
    exit=2,
    code="plan_targets_invalid",
)
register(
    "plan",
    "targets_latin1",
    lambda e: _plan(e, PLAN_TARGETS.encode("utf-8") + "# caf\u00e9\n".encode("latin-1")),
    exit=2,
    code="plan_targets_invalid",
)
register(
    "plan",
    "targets_billion_laughs",
    lambda e: _plan(e, C.YAML_BOMB),
    exit=2,
    code="plan_targets_invalid",
)
register(
    "plan",
    "python_tag",
    lambda e: _plan(e, C.PYTHON_TAG),
    exit=2,
    code="plan_targets_invalid",
)
register(
    "plan",
    "no_frame",
    lambda e: [
        "plan",
        "--run",
        e.run(),
        "--targets",
        e.file("targets.yaml", PLAN_TARGETS),
        "--out",
        str(e.out),
    ],
    exit=2,
    code="bad_option",
)
register(
    "plan",
    "out_under_file",
    lambda e: _plan(e, PLAN_TARGETS, out=e.under_file()),
    exit=2,
    code="cannot_write",
)
register(
    "plan",
    "markup_in_targets_level",
    lambda e: _plan(
        e,
        PLAN_TARGETS.replace(
            "default: {min_respondents: 50}",
            'default: {min_respondents: 50}\n  levels:\n    "<script>": {min_respondents: 5}',
        ),
    ),
    exit=2,
    code="plan_targets_invalid",
)

# -- datatool --------------------------------------------------------------------------------------
register(
    "datatool build",
    "not_an_archive",
    lambda e: [
        "datatool",
        "build",
        "--archive",
        e.file("junk/x.txt", "x").rsplit("/", 1)[0],
        "--out",
        str(e.out),
    ],
    exit=3,
    code="archive_not_found",
)
register(
    "datatool build",
    "out_under_file",
    lambda e: ["datatool", "build", "--archive", e.archive(), "--out", e.under_file()],
    exit=2,
    code="cannot_write",
)
register(
    "datatool build",
    "unknown_indicator",
    lambda e: (
        ["datatool", "build", "--archive", e.archive(), "--out", str(e.out)]
        + ["--indicator", "werkstress", "--indicator", "<script>"]
    ),
    exit=2,
    code="bad_option",
)
register(
    "datatool build",
    "unknown_wave",
    lambda e: (
        ["datatool", "build", "--archive", e.archive(), "--out", str(e.out)] + ["--wave", "1999"]
    ),
    exit=2,
    code="bad_option",
)
register(
    "datatool build",
    "unknown_breakdown",
    lambda e: (
        ["datatool", "build", "--archive", e.archive(), "--out", str(e.out)]
        + ["--breakdown", "rijksregisternummer"]
    ),
    exit=2,
    code="bad_option",
)
register(
    "datatool serve",
    "junk_release",
    lambda e: [
        "datatool",
        "serve",
        "--release",
        e.file("rel/datatool.json", "<html>not json</html>").rsplit("/", 1)[0],
        "--port",
        "1",
    ],
    exit=1,
    code="datatool_no_release",
)
register(
    "datatool serve",
    "port_out_of_range",
    lambda e: ["datatool", "serve", "--archive", e.archive(), "--port", "70000"],
    exit=2,
)
