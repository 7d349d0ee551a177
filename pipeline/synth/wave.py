"""Generate a synthetic mixed-mode wave directory (``wbm synth``).

Files written (each atomically; the same seed gives byte-identical files):

* ``paper_keyed.csv`` - keyed paper forms, with keying and respondent errors;
* ``web_export.sav`` - the web export (SPSS, value labels, user-missing codes);
* ``population.csv`` + ``population.yaml`` - the population margins (the same bytes as
  ``weights/werknemers-2023.synthetic.csv`` for the shipped model and questionnaire);
* ``truth.json`` - the population values of every indicator under the model;
* ``frame.parquet`` - the invited sample (sample_id, frame variables, mode, responded);
* ``wave.json`` - what the pipeline needs to run on the wave (questionnaire, inputs, margins) plus the
  seed, size, generator version and counts of what was generated and injected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import Problem, UsageError
from pipeline.fileio import sha256_file, write_json, write_parquet, write_text

DEFAULT_QUESTIONNAIRE = "wbm-werknemers-2023"
DEFAULT_SEED = 2023
#: Bump when the same seed and model would give different files.
GENERATOR_VERSION = "1"

PAPER_FILE, WEB_FILE, CATI_FILE = "paper_keyed.csv", "web_export.sav", "cati_export.sav"
CALLS_FILE = "call_records.csv"
POPULATION_FILE, TRUTH_FILE, FRAME_FILE, WAVE_FILE = (
    "population.csv",
    "truth.json",
    "frame.parquet",
    "wave.json",
)


@dataclass(frozen=True)
class WaveSummary:
    out_dir: Path
    questionnaire: str
    seed: int
    size: int
    respondents: int  # persons who answered (in at least one mode)
    paper_forms: int
    web_records: int
    both_modes: int
    out_of_target: int
    truth_werkbaar_werk: float | None
    files: tuple[Path, ...]
    injected: dict[str, dict[str, int]] = field(default_factory=dict)
    model: str = ""
    interviews: int = 0  # telephone: complete and partial interviews
    headline: str | None = None  # the headline indicator (the composite, else the first latent's)
    truth_headline: float | None = None


def _questionnaire_ref(name_or_path: str | Path) -> str:
    """The shipped id when the questionnaire is a shipped one, else the absolute path."""
    from pipeline.questionnaire.load import resolve, shipped

    path = resolve(name_or_path).resolve()
    known = shipped().get(path.stem)
    if known is not None and known.resolve() == path:
        return path.stem
    return str(path)


def generate_wave(
    out_dir: str | Path,
    *,
    size: int | None = None,
    seed: int = DEFAULT_SEED,
    questionnaire: str | Path = DEFAULT_QUESTIONNAIRE,
    model_path: str | Path | None = None,
) -> WaveSummary:
    """Write a synthetic wave to ``out_dir`` and return what was generated.

    ``model_path``: a model file or shipped model name (default: the model chosen for the
    questionnaire, :func:`pipeline.synth.config.select_model`); ``size``: units invited (default:
    the model's ``sample.size``)."""
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.synth.config import load_model, select_model
    from pipeline.synth.paper import background_of, paper_table, write_paper_csv
    from pipeline.synth.population import margins_of, write_population
    from pipeline.synth.sample import draw_sample, stream
    from pipeline.synth.truth import compute_truth
    from pipeline.synth.web import web_frame, write_sav
    from pipeline.synth.world import build_world

    if seed < 0:
        raise UsageError(
            "--seed must be a non-negative integer",
            [Problem("negative seed", value=seed, code="bad_seed")],
            code="bad_option",
        )
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a directory", code="bad_option")
    q = load_questionnaire(questionnaire)
    model_file = Path(model_path) if model_path is not None else select_model(q)
    model = load_model(model_file)
    model_file = _model_file(model_path, model_file)
    size = int(model.sample.size.value) if size is None else size
    world = build_world(q, model)
    draw = draw_sample(world, size, seed)
    records = draw.records
    background = background_of(model)

    files: list[Path] = []
    inputs: list[dict[str, Any]] = []
    injected: dict[str, dict[str, int]] = {}
    counts: dict[str, int] = {"invited": size, "respondents": int(draw.frame["responded"].sum())}
    if "paper" in q.study.modes and model.paper is not None:
        paper = records.subset(records.mode == "paper")
        paper = paper.subset(stream(seed, "paper-order").permutation(len(paper)))
        header, table, paper_log = paper_table(
            q, model.paper, paper, q.study.wave, stream(seed, "paper"), background
        )
        files.append(write_paper_csv(out / PAPER_FILE, header, table))
        inputs.append({"path": PAPER_FILE, "mode": "paper"})
        injected["paper"] = dict(sorted(paper_log.items()))
        counts["paper_forms"] = len(paper)
    if "web" in q.study.modes and model.web is not None:
        web = records.subset(records.mode == "web")
        web_df, web_log = web_frame(q, model.web, web, stream(seed, "web"), background)
        files.append(write_sav(q, web_df, out / WEB_FILE))
        inputs.append({"path": WEB_FILE, "mode": "web"})
        injected["web"] = dict(sorted(web_log.items()))
        counts["web_records"] = len(web)
    if "cati" in q.study.modes and model.cati is not None:
        from pipeline.synth.cati import cati_frame, write_cati_sav

        tel = records.subset(records.mode == "cati")
        cati_df, cati_log = cati_frame(q, model.cati, tel, stream(seed, "cati"), background)
        files.append(write_cati_sav(q, model.cati, cati_df, out / CATI_FILE))
        inputs.append({"path": CATI_FILE, "mode": "cati"})
        injected["cati"] = dict(sorted(cati_log.items()))
        counts["interviews"] = len(tel)
        counts["partial_interviews"] = int(cati_log.get("partial", 0))
    truth = compute_truth(world)
    margins_files: list[dict[str, str]] = []
    for i, spec in enumerate(model.population.margins):
        name = spec.file or (POPULATION_FILE if i == 0 else f"{spec.name}.csv")
        path = write_population(margins_of(world.population, model, q, spec), out / name)
        files += [path, path.with_suffix(".yaml")]
        if i:
            margins_files.append(
                {"path": name, "weight_column": str(spec.weight_column), "size": str(spec.size)}
            )
    files.append(write_json(out / TRUTH_FILE, truth))
    from pipeline.frame.model import ID_COLUMN

    # the frame's id column is always sample_id (docs/frame.md), whatever the questionnaire calls it
    frame_out = draw.frame.rename(columns={q.study.id_variable: ID_COLUMN})
    files.append(write_parquet(out / FRAME_FILE, frame_out))
    if draw.calls is not None:
        strata = draw.frame[[q.study.id_variable, *model.sample.strata]]
        calls = strata.merge(draw.calls, on=q.study.id_variable, how="right", validate="1:m")
        from pipeline.spreadsheet import frame_csv

        files.append(write_text(out / CALLS_FILE, frame_csv(calls)))
    mode = draw.frame["mode"]
    both = int((mode == "both").sum())
    counts["both_modes"] = both
    counts["out_of_target"] = int(draw.out_of_target.sum())
    ref = _questionnaire_ref(questionnaire)
    wave: dict[str, Any] = {
        "kind": "wbm-wave",
        "synthetic": True,
        "questionnaire": ref,
        "wave": q.study.wave,
        "inputs": inputs,
        "margins": POPULATION_FILE
        if model.population.margins[0].file is None
        else model.population.margins[0].file,
        "frame": FRAME_FILE,
        "truth": TRUTH_FILE,
        "seed": seed,
        "size": size,
        "generator": {
            "name": "pipeline.synth",
            "version": GENERATOR_VERSION,
            "model": model.name,
            "model_sha256": sha256_file(model_file),
        },
        "counts": counts,
        "injected_errors": injected,
    }
    if margins_files:
        wave["extra_weights"] = margins_files
    if model.sample.design == "stratified":
        wave["design"] = {"strata": list(model.sample.strata), "fpc": "population"}
    if draw.calls is not None:
        wave["paradata"] = {"calls": CALLS_FILE}
    files.append(write_json(out / WAVE_FILE, wave))
    composite = model.traits.composite
    ww = truth["indicators"].get(composite, {}).get("overall") if composite else None
    return WaveSummary(
        out_dir=out,
        questionnaire=ref,
        seed=seed,
        size=size,
        respondents=counts["respondents"],
        paper_forms=counts.get("paper_forms", 0),
        web_records=counts.get("web_records", 0),
        both_modes=both,
        out_of_target=counts["out_of_target"],
        truth_werkbaar_werk=None if ww is None else float(ww),
        files=tuple(files),
        injected=injected,
        model=model.name,
        interviews=counts.get("interviews", 0),
        headline=composite or next(iter(model.traits.indicators), None),
        truth_headline=_headline(truth, composite or next(iter(model.traits.indicators), None)),
    )


def _headline(truth: dict[str, Any], name: str | None) -> float | None:
    if name is None:
        return None
    v = truth["indicators"].get(name, {}).get("overall")
    return None if v is None else float(v)


def _model_file(given: str | Path | None, chosen: Path) -> Path:
    """The model file actually read (a shipped model's name resolves to its file)."""
    if given is None or Path(given).is_file():
        return chosen
    from pipeline.synth.config import shipped_models

    return shipped_models().get(str(given), chosen)
