"""Build a microdata release from a finished run: ``wbm release`` and the outputs stage.

    run dir (03_score/scored.parquet, manifest.json; no estimates needed) + release profile
      -> anonymise (pipeline.sdc.microdata)                      the one place that drops, recodes, perturbs, suppresses
      -> released table (pipeline.release.table)      labels, codes, what the release did
      -> <stem>.sav, <stem>.dta, <stem>.csv + datapackage.json, <stem>.codebook.html (+ .pdf),
         risk_report.html/.json, README.md, manifest.json (SHA-256 of every file)

``<stem>`` is ``<study id>-<profile name>``. The release seed is derived from the run's
``release_seed`` and the profile name, so two profiles of one run get different release ids (rows
cannot be matched by id across them). The files are written into a staging directory beside the
output directory and moved into place only when all of them are written, so a failed build leaves
nothing behind; the same run and profile give the same bytes. The confidential suppression log is
never written.

The output directory must be empty or hold an earlier release (its files are replaced; files of
the earlier release that are no longer produced are removed). ``replace=True`` (the outputs stage,
which owns its directory) removes any other file in it first.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import InputError, Problem, SpecError, UsageError
from pipeline.fileio import (
    ensure_dir,
    move_into_place,
    sha256_file,
    staging_dir,
    write_json,
    write_text,
)
from pipeline.outpath import inside, require_dir
from pipeline.sdc.register import Delivery, Register

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Questionnaire
    from pipeline.release.table import ReleaseTable
    from pipeline.sdc.microdata.api import ReleaseResult
    from pipeline.sdc.microdata.profile import ReleaseProfile
    from pipeline.sdc.publisher import Publisher

DEFAULT_SEED = 2023


@dataclass(frozen=True, eq=False)
class RunSource:
    run_dir: Path
    questionnaire: Questionnaire
    scored: pd.DataFrame
    population: str
    seed: int
    min_n: int  # smallest domain shown in the handed-out risk report
    synthetic: bool
    data_sha256: str  # of 03_score/scored.parquet, the data the release is made from


@dataclass(frozen=True, eq=False)
class ReleaseBuild:
    out_dir: Path
    files: tuple[Path, ...]  # every file written, the manifest last
    sav: Path
    result: ReleaseResult  # holds the confidential suppression log: never write it
    table: ReleaseTable


def load_run_source(
    run_dir: str | Path, *, questionnaire: str | Path | Questionnaire | None = None
) -> RunSource:
    """What a release needs from a run directory: the scored data (``03_score``, read with
    :func:`pipeline.rundata.read.read_scored`), the questionnaire, the run's parameters and report
    context; not the estimates (a run stopped after scoring can be released). A missing or damaged
    piece is a located error.

    ``questionnaire``: the run's own (the outputs stage passes ``run.questionnaire()``), an id or a
    YAML path, or None: the file the run was given (``parameters.questionnaire``) if it still exists,
    else the questionnaire the manifest names by id; either way it must be the file the run used (the
    manifest's SHA-256), never another questionnaire that has the same id."""
    from pipeline.questionnaire.model import Questionnaire
    from pipeline.reports.rundir import context_from_run
    from pipeline.rundata.read import (
        int_or,
        read_scored,
        recorded_questionnaire,
        require_run_dir,
        run_manifest,
        run_parameters,
    )

    run = require_run_dir(run_dir)
    manifest = run_manifest(run)  # a damaged manifest is an error, not a default release seed
    params = run_parameters(manifest)
    q = (
        questionnaire
        if isinstance(questionnaire, Questionnaire)
        else recorded_questionnaire(run, manifest, questionnaire)
    )
    frame, data_sha256 = read_scored(run)
    ctx = context_from_run(run, q)
    return RunSource(
        run,
        q,
        frame,
        str(params.get("population") or "default"),
        int_or(params.get("release_seed"), DEFAULT_SEED),
        ctx.min_n_publish,
        ctx.synthetic,
        data_sha256,
    )


def release_seed(base: int, profile_name: str) -> int:
    """A seed per (run seed, profile): different profiles get different release ids."""
    return int.from_bytes(hashlib.sha256(f"{base}:{profile_name}".encode()).digest()[:8], "big")


def _profile(
    profile: str | Path | ReleaseProfile, q: Questionnaire, columns: Sequence[str] = ()
) -> tuple[ReleaseProfile, str, str]:
    """The profile, where it came from, its SHA-256; cross-checked against the questionnaire with
    every problem located in the profile file."""
    from pipeline.sdc.microdata.plan import check_profile
    from pipeline.sdc.microdata.profile import ReleaseProfile, dump_profile, load_profile, resolve

    if isinstance(profile, ReleaseProfile):
        prof, source, sha = (
            profile,
            "(in memory)",
            hashlib.sha256(dump_profile(profile).encode()).hexdigest(),
        )
    else:
        path = resolve(profile)
        prof, source, sha = load_profile(path), str(path), sha256_file(path)
    problems = check_profile(prof, q, columns)
    if problems:
        raise SpecError(
            f"release profile {prof.name!r} does not fit questionnaire {q.study.id!r}: {len(problems)} problem(s)",
            [dc_replace(p, file=source) for p in problems],
            code="profile_mismatch",
        )
    return prof, source, sha


def _prepare(out_dir: Path, keep: bool) -> list[Path]:
    """Files of an earlier release in ``out_dir`` (to remove if not rewritten)."""
    from pipeline.manifest import MANIFEST
    from pipeline.release.checksums import listed_files

    require_dir(out_dir)
    present = sorted(p for p in out_dir.rglob("*") if p.is_file()) if out_dir.is_dir() else []
    if not present:
        return []
    try:
        earlier = set(listed_files(out_dir)) | {MANIFEST}
    except (
        InputError
    ) as exc:  # no manifest, another kind (e.g. a run directory's), or a damaged one
        if exc.code != "no_release_manifest" and not keep:
            raise  # damaged: say so, rather than call the release's own files foreign
        earlier = set()
    foreign = [p for p in present if p.relative_to(out_dir).as_posix() not in earlier]
    if foreign and not keep:
        raise UsageError(
            f"{out_dir} is not empty and holds no earlier release",
            [
                Problem("file that is not part of an earlier release", file=str(p))
                for p in foreign[:5]
            ]
            + [
                Problem(
                    "refusing to mix a release with other files",
                    file=str(out_dir),
                    hint="give an empty or new directory",
                )
            ],
            code="out_dir_not_empty",
        )
    return present


def build_release(
    source: RunSource | str | Path,
    profile: str | Path | ReleaseProfile,
    out_dir: str | Path,
    *,
    seed: int | None = None,
    lang: str = "nl",
    pdf: bool = True,
    questionnaire: str | None = None,
    replace: bool = False,
    recipient: str | None = None,
    publisher: Publisher | None = None,
) -> ReleaseBuild:
    """Build the release of a run under ``profile`` into ``out_dir`` (see the module docstring).
    ``source``: what :func:`load_run_source` read (the outputs stage passes its own questionnaire
    that way), or the run directory (then ``questionnaire`` is passed on to it).

    ``recipient`` (with ``publisher``): a delivery to a registered recipient, checked against the
    publisher's release register before anything is written (:mod:`pipeline.sdc.register`: a second
    release of the same data to the same organisation that can be linked is refused) and registered
    once written. Without it the release is the publisher's own (the outputs stage's archive copy)."""
    from pipeline.release.table import release_table
    from pipeline.sdc.microdata.api import anonymise

    if lang not in ("nl", "en"):
        raise UsageError(
            f"language {lang!r} is not one of 'nl', 'en'",
            [Problem("unknown language", value=lang, expected="nl or en", hint="--lang en")],
            code="bad_option",
        )
    src = (
        source
        if isinstance(source, RunSource)
        else load_run_source(source, questionnaire=questionnaire)
    )
    q = src.questionnaire
    prof, _source, profile_sha = _profile(profile, q, [str(c) for c in src.scored.columns])
    out = Path(out_dir)
    earlier = _prepare(out, replace)
    result = anonymise(
        src.scored, q, prof, seed=seed if seed is not None else release_seed(src.seed, prof.name)
    )
    table = release_table(result, q, lang=lang, population=src.population)
    delivery = None
    if recipient is not None:
        if publisher is None:
            raise ValueError("a delivery to a recipient needs the publisher")
        delivery = _delivery(src, prof, profile_sha, seed, table, recipient, publisher)
        Register(publisher.register_dir).check(delivery)

    staging = staging_dir(out.parent, out.name)
    try:
        names = _write_all(staging, src, q, prof, profile_sha, result, table, lang=lang, pdf=pdf)
        ensure_dir(out)
        for name in names:
            move_into_place(staging / name, out / name)
        for old in earlier:
            if old.name not in names:
                old.unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    files = tuple(out / n for n in names)
    if delivery is not None and publisher is not None:
        Register(publisher.register_dir).record(delivery)
    return ReleaseBuild(out, files, out / names[0], result, table)


def _delivery(
    src: RunSource,
    prof: ReleaseProfile,
    profile_sha: str,
    seed: int | None,
    table: ReleaseTable,
    recipient: str,
    publisher: Publisher,
) -> Delivery:
    """What the register records of a delivery (the recipient must be registered)."""
    from pipeline.dataversion import data_version

    rec, org = publisher.registry.recipient(recipient)
    q = src.questionnaire
    return Delivery(
        recipient=rec.id,
        organisation=org.id,
        data_version=data_version(src.scored),
        profile=prof.name,
        profile_sha256=profile_sha,
        seed=seed if seed is not None else release_seed(src.seed, prof.name),
        columns=tuple(str(c) for c in table.frame.columns),
        data_sha256=data_version(table.frame),
        wave=q.study.wave,
        study=q.study.id,
    )


def _write_all(
    out: Path,
    src: RunSource,
    q: Questionnaire,
    prof: ReleaseProfile,
    profile_sha: str,
    result: ReleaseResult,
    table: ReleaseTable,
    *,
    lang: str,
    pdf: bool,
) -> list[str]:
    """Write every file into ``out`` (a staging directory); returns the file names, .sav first,
    manifest last."""
    from pipeline import __version__
    from pipeline.manifest import MANIFEST
    from pipeline.release import codebook, construction, readme, tabular
    from pipeline.release.checksums import write_manifest
    from pipeline.release.sav import write_sav
    from pipeline.release.stata import write_dta
    from pipeline.release.words import words
    from pipeline.sdc.microdata.profile import fill_text
    from pipeline.sdc.microdata.report import render_html as risk_fragment

    w = words(lang)
    stem = inside(out, f"{q.study.id}-{prof.name}").name  # both are slugs; the guard stays
    title = q.study.title.get(lang)
    about = f"{title}: {prof.title.get(lang)}"
    written: list[tuple[Path, str, str]] = []  # (path, role, description)

    def add(path: Path, role: str, what: str) -> Path:
        written.append((path, role, what))
        return path

    note = "\n".join(
        [about, fill_text(prof.conditions_of_use, q, lang), fill_text(prof.citation, q, lang)]
    )
    add(
        write_sav(table, out / f"{stem}.sav", file_label=f"{q.study.id} {prof.name}", note=note),
        "data",
        w["file_sav"],
    )
    add(
        write_dta(table, out / f"{stem}.dta", file_label=about),
        "data",
        w["file_dta"],
    )
    csv, types = tabular.write_csv(table, out / f"{stem}.csv")
    add(csv, "data", w["file_csv"])
    add(
        tabular.write_datapackage(
            out / "datapackage.json",
            tabular.datapackage(
                table,
                csv.name,
                types,
                name=stem,
                title=about,
                version=q.study.version,
                description=q.study.target_population.get(lang),
                licence_note=fill_text(prof.conditions_of_use, q, lang),
            ),
        ),
        "metadata",
        w["file_datapackage"],
    )
    add(
        write_json(out / "risk_report.json", result.report.external_dict(min_n=src.min_n)),
        "report",
        w["file_risk_json"],
    )
    fragment = risk_fragment(
        result.report,
        title=w["risk_title"].format(profile=prof.title.get(lang)),
        min_n=src.min_n,
        lang=lang,
    )
    add(
        write_text(
            out / "risk_report.html",
            _page(w["risk_page"].format(about=about), fragment, lang=lang),
        ),
        "report",
        w["file_risk_html"],
    )
    names = (
        [f"{stem}.sav", f"{stem}.dta", f"{stem}.csv", "datapackage.json", f"{stem}.codebook.html"]
        + ([f"{stem}.codebook.pdf"] if pdf else [])
        + ["risk_report.html", "risk_report.json", "README.md", MANIFEST]
    )
    reference = w["reference_note"] if q.study.status == "reference" else None
    info = codebook.CodebookInfo(
        title,
        prof.title.get(lang),
        stem,
        q.study.target_population.get(lang),
        tuple(names),
        src.synthetic,
        reference,
    )
    built = construction.constructions(q, {v.name for v in table.variables}, lang)
    html = codebook.render_html(
        table,
        info,
        study=q.study,
        profile=prof,
        risk_html=fragment,
        constructions=built,
        werkbaar_werk=construction.werkbaar_werk_definition(q, lang) if built else "",
    )
    add(
        codebook.write_html(html, out / f"{stem}.codebook.html"),
        "documentation",
        w["file_codebook"],
    )
    if pdf:
        add(
            codebook.write_pdf(html, out / f"{stem}.codebook.pdf"),
            "documentation",
            w["file_codebook_pdf"],
        )
    files = tuple((p.name, what) for p, _r, what in written) + (
        ("README.md", w["file_readme"]),
        (MANIFEST, w["file_manifest"]),
    )
    text = readme.render(
        result,
        table,
        q,
        readme.ReadmeInfo(
            files,
            src.run_dir.resolve().name,
            src.data_sha256,
            profile_sha,
            __version__,
            src.synthetic,
        ),
    )
    add(write_text(out / "README.md", text), "documentation", "README")
    write_manifest(
        out,
        [(p, role) for p, role, _w in written],
        {
            "study": q.study.id,
            "questionnaire_version": q.study.version,
            "profile": prof.name,
            "use": prof.use,
            "profile_sha256": profile_sha,
            "data_sha256": src.data_sha256,
            "language": lang,
            "records": len(table.frame),
            "variables": len(table.variables),
            "software": {"wbm-pipeline": __version__},
        },
    )
    return [p.name for p, _r, _w in written] + [MANIFEST]


def _page(title: str, body: str, *, lang: str) -> str:
    import html

    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<title>{html.escape(title)}</title>\n<style>body {{ font-family: "DejaVu Sans", Arial, sans-serif; '
        "font-size: 10pt; max-width: 1100px; margin: 1.5em auto; padding: 0 1em; } table { border-collapse: collapse; "
        "margin: .4em 0 .8em; } th, td { border-bottom: 1px solid #d0d7de; padding: 2px 6px; text-align: right; } "
        ".l { text-align: left; } .small { color: #57606a; font-size: 9pt; } .notice { border-left: 4px solid #f79009; "
        "background: #fff4e5; padding: .3em .7em; margin: .3em 0; }</style>\n</head>\n<body>\n"
        f"{body}</body>\n</html>\n"
    )
