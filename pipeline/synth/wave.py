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
from pipeline.fileio import sha256_file, write_json, write_parquet

DEFAULT_QUESTIONNAIRE = "wbm-werknemers-2023"
DEFAULT_SIZE = 40_000
DEFAULT_SEED = 2023
#: Bump when the same seed and model would give different files.
GENERATOR_VERSION = "1"

PAPER_FILE, WEB_FILE = "paper_keyed.csv", "web_export.sav"
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
    size: int = DEFAULT_SIZE,
    seed: int = DEFAULT_SEED,
    questionnaire: str | Path = DEFAULT_QUESTIONNAIRE,
    model_path: str | Path | None = None,
) -> WaveSummary:
    """Write a synthetic wave to ``out_dir`` and return what was generated."""
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.synth.config import MODEL_PATH, load_model
    from pipeline.synth.paper import paper_table, write_paper_csv
    from pipeline.synth.population import population_margins, write_population
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
    model = load_model(model_path)
    world = build_world(q, model)
    draw = draw_sample(world, size, seed)
    records = draw.records

    paper = records.subset(records.mode == "paper")
    paper = paper.subset(stream(seed, "paper-order").permutation(len(paper)))
    header, table, paper_log = paper_table(
        q, model.paper, paper, q.study.wave, stream(seed, "paper")
    )
    web = records.subset(records.mode == "web")
    web_df, web_log = web_frame(q, model.web, web, stream(seed, "web"))
    truth = compute_truth(world)

    files = [
        write_paper_csv(out / PAPER_FILE, header, table),
        write_sav(q, web_df, out / WEB_FILE),
    ]
    pop_csv = write_population(
        population_margins(world.population, model, q), out / POPULATION_FILE
    )
    files += [pop_csv, pop_csv.with_suffix(".yaml")]
    files.append(write_json(out / TRUTH_FILE, truth))
    files.append(write_parquet(out / FRAME_FILE, draw.frame))
    mode = draw.frame["mode"]
    both = int((mode == "both").sum())
    injected = {"paper": dict(sorted(paper_log.items())), "web": dict(sorted(web_log.items()))}
    counts = {
        "invited": size,
        "respondents": int(draw.frame["responded"].sum()),
        "paper_forms": len(paper),
        "web_records": len(web),
        "both_modes": both,
        "out_of_target": int(draw.out_of_target.sum()),
    }
    ref = _questionnaire_ref(questionnaire)
    model_file = Path(model_path) if model_path is not None else MODEL_PATH
    wave: dict[str, Any] = {
        "kind": "wbm-wave",
        "synthetic": True,
        "questionnaire": ref,
        "wave": q.study.wave,
        "inputs": [{"path": PAPER_FILE, "mode": "paper"}, {"path": WEB_FILE, "mode": "web"}],
        "margins": POPULATION_FILE,
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
    files.append(write_json(out / WAVE_FILE, wave))
    ww = truth["indicators"].get(model.traits.composite, {}).get("overall")
    return WaveSummary(
        out_dir=out,
        questionnaire=ref,
        seed=seed,
        size=size,
        respondents=counts["respondents"],
        paper_forms=counts["paper_forms"],
        web_records=counts["web_records"],
        both_modes=both,
        out_of_target=counts["out_of_target"],
        truth_werkbaar_werk=None if ww is None else float(ww),
        files=tuple(files),
        injected=injected,
    )
