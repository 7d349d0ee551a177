"""The synthetic history: every past wave of a monitor with that wave's questionnaire, sample size and
published figures (``wbm synth --wave YEAR``).

The waves (domain brief, ``docs/domain.md``): employees 2004, 2007, 2010, 2013, 2016, 2019 (every
three years) and 2023 (now every four); the self-employed since 2007. A wave's questionnaire is the
shipped ``wbm-<population>-<year>`` (the earlier ones are reference modules of the 2019 / 2023 files,
each mapping to the wave before), its model the one :func:`pipeline.synth.config.select_model` picks
for it (``models/<population>-<year>.yaml``: the published werkbaar werk and work stress where there
are figures, 2019's sector figures, sample size and response; everything else a labelled SYNTHETIC
ASSUMPTION).
"""

from __future__ import annotations

from pipeline.errors import Problem, UsageError, one_of

WAVES: dict[str, tuple[int, ...]] = {
    "werknemers": (2004, 2007, 2010, 2013, 2016, 2019, 2023),
    "zelfstandigen": (2007, 2010, 2013, 2016, 2019, 2023),
}
POPULATIONS = tuple(WAVES)


def wave_questionnaire(population: str, year: int) -> str:
    """The shipped questionnaire of one wave of a monitor (checked: its study is that wave)."""
    from pipeline.questionnaire.load import load_questionnaire, shipped

    if population not in WAVES:
        raise UsageError(
            f"no synthetic history for {population!r}",
            [
                Problem(
                    one_of(population, POPULATIONS), hint="--population werknemers or zelfstandigen"
                )
            ],
            code="bad_option",
        )
    name = f"wbm-{population}-{year}"
    if year not in WAVES[population] or name not in shipped():
        raise UsageError(
            f"the {population} monitor has no wave {year}",
            [
                Problem(
                    one_of(year, WAVES[population]),
                    value=year,
                    hint=f"the waves of the {population} monitor: "
                    + ", ".join(map(str, WAVES[population])),
                )
            ],
            code="bad_option",
        )
    q = load_questionnaire(name)
    if q.study.population != population or q.study.wave != year:  # pragma: no cover - shipped files
        raise UsageError(f"{name} is not the {population} wave {year}", code="bad_option")
    return name


def wave_size(questionnaire: str, scale: float = 1.0) -> int:
    """The number invited in a wave (its model's ``sample.size``) times ``scale`` (at least 500)."""
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.synth.config import load_model, select_model

    model = load_model(select_model(load_questionnaire(questionnaire)))
    return max(500, int(round(model.sample.size.value * scale)))
