"""Where commands write: slugs with a length cap, the path guard, one located "cannot write here"."""

from __future__ import annotations

import errno
import os

import pytest

from pipeline.errors import OutputError
from pipeline.fileio import ensure_dir, write_text
from pipeline.outpath import (
    SLUG_MAX,
    cannot_write,
    id_problem,
    inside,
    is_id,
    require_dir,
    require_file_target,
    slug,
)


def test_slug_is_capped_and_stays_unique():
    a, b = "x" * 3000, "x" * 2999 + "y"
    assert len(slug(a)) <= SLUG_MAX and len(slug(b)) <= SLUG_MAX and slug(a) != slug(b)
    assert slug("Gezondheidszorg & welzijn") == "gezondheidszorg-welzijn"
    assert slug("../../etc") == "etc" and slug("") == "x"


def test_report_file_names_from_a_3000_character_label(tmp_path):
    from pipeline.reports.report import report_filename

    name = report_filename(4, "lange sector " * 250)
    assert len(name) < 100
    write_text(tmp_path / name, "ok")  # the file system takes it


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("wbm-werknemers-2023", True),
        ("pc126", True),
        ("../../../tmp/pwn", False),
        ("/etc/passwd", False),
        ("a/b", False),
        ("..", False),
        ("x" * 65, False),
        ("", False),
        (".hidden", False),
    ],
)
def test_ids_are_slugs(value, ok):
    assert is_id(value) is ok
    assert (id_problem(value) is None) is ok


def test_a_questionnaire_id_that_escapes_is_refused(tmp_path):
    from pipeline.paths import QUESTIONNAIRES_DIR
    from pipeline.questionnaire.load import check_questionnaire

    text = (QUESTIONNAIRES_DIR / "wbm-werknemers-2023.yaml").read_text(encoding="utf-8")
    f = tmp_path / "q.yaml"
    f.write_text(text.replace("id: wbm-werknemers-2023", "id: '../../../tmp/pwn'", 1), "utf-8")
    report = check_questionnaire(f)
    assert [p.code for p in report.errors] == ["bad_id"] and report.errors[0].line is not None


def test_inside_refuses_escapes_and_symlinks(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    assert inside(out, "a.md") == out / "a.md"
    for bad in ("../a.md", "/etc/passwd", "sub/../../a.md", "."):
        with pytest.raises(OutputError) as exc:
            inside(out, bad)
        assert exc.value.code == "path_escape"
    os.symlink(tmp_path, out / "link")
    with pytest.raises(OutputError):
        inside(out, "link", "a.md")


def test_writing_under_a_file_is_one_located_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    for write in (
        lambda: write_text(blocker / "sub" / "f.txt", "x"),
        lambda: ensure_dir(blocker / "sub"),
        lambda: require_dir(blocker / "sub"),
        lambda: require_file_target(blocker / "f.csv"),
    ):
        with pytest.raises(OutputError) as exc:
            write()
        assert exc.value.code == "cannot_write" and exc.value.exit_code == 2
        assert str(blocker) in exc.value.render()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]  # nothing left behind


def test_a_full_disk_is_exit_1_and_keeps_the_system_wording(tmp_path):
    err = cannot_write(tmp_path / "f", OSError(errno.ENOSPC, "No space left on device"))
    assert err.exit_code == 1 and "No space left on device" in err.render()


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    from pipeline import fileio

    def boom(tmp):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError):
        fileio.write_with(tmp_path / "f.bin", boom)
    assert list(tmp_path.iterdir()) == []
