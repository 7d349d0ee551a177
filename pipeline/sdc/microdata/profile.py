"""Release profiles (the *spec* of a microdata release; no pandas here).

A profile file (YAML in ``releases/``, e.g. ``public-use.yaml``) says who the release is for and how
it is protected: the k of k-anonymity, the key variables (quasi-identifiers; default: the
questionnaire's items with role ``key``, after the release recodes), which release recodes of the
questionnaire apply, which small categories are merged, the importance order used by local
suppression, optional PRAM, extra drops or a keep list, what happens to the weights, and the
conditions of use and citation that go into the README.

Loading is two passes, every problem reported at once: the structure (pydantic; unknown keys are
rejected) when the file is read (:func:`load_profile`), the cross-references against a
questionnaire (variables exist, codes make sense) in :func:`pipeline.sdc.microdata.plan.check_profile`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from pipeline.errors import Problem, SpecError
from pipeline.paths import REPO_ROOT
from pipeline.questionnaire.model import Band, Questionnaire, Spec, Text
from pipeline.specfile import Source, load_yaml, located_problems

RELEASES_DIR = REPO_ROOT / "releases"
PROFILE_KIND = "release_profile"
PROFILE_SCHEMA_VERSION = 1
DEFAULT_K = {"public_use": 5, "scientific_use": 3}
SUPPRESSED_CODE = -5
SUPPRESSED_LABEL = Text(
    nl="onderdrukt wegens vertrouwelijkheid", en="suppressed for confidentiality"
)
MIN_COUNT = 20  # weights.min_count: released categories with fewer records do not use their records' own weights


class MergeRule(Spec):
    """Merge the categories of ``variable`` that have fewer than ``min_count`` respondents
    (unweighted, substantive values only, counted after the release recodes).

    ``into`` given: every small category is recoded to that code (an existing code, or a new one
    that then needs ``label``). ``into`` absent: the variable must be ordinal; the smallest small
    category is merged with its smaller neighbour until none is left (the merged category keeps the
    lower code, its label joins both labels)."""

    variable: str
    min_count: int = Field(ge=1)
    into: int | None = Field(default=None, ge=0)
    label: Text | None = None


class PramSpec(Spec):
    """Post-randomisation with an invariant transition matrix ``P = r*I + (1-r)*1*pi'``: a value is
    kept with probability ``retention`` and otherwise redrawn from the marginal distribution ``pi``
    (so the value stays the same with probability ``r + (1-r)*pi_k``). ``pi*P = pi``: the expected
    distribution after PRAM equals the distribution before (weighted by default, so weighted totals
    are unbiased)."""

    enabled: bool = False
    variables: tuple[str, ...] = ()
    retention: float = Field(default=0.8, gt=0.0, le=1.0)
    marginals: Literal["weighted", "unweighted"] = "weighted"
    seed: int | None = None  # None: derived from the release seed

    @model_validator(mode="after")
    def _vars(self) -> PramSpec:
        if self.enabled and not self.variables:
            raise ValueError("PRAM is enabled but 'variables' is empty")
        return self


class UtilitySpec(Spec):
    """Information-loss figures: weighted shares of these 0/1 indicators by these variables,
    before and after the perturbation (suppression and PRAM). ``indicators`` absent: the
    questionnaire's composite indicators (``werkbaar_werk``); ``by`` empty: the key variables."""

    indicators: tuple[str, ...] | None = None
    by: tuple[str, ...] = ()


class WeightSpec(Spec):
    """What the release does with the weights. Raked weights are a function of the weighting cell, so
    they can give suppressed or PRAM-changed values of the weighting variables back
    (:mod:`pipeline.sdc.microdata.linkage`). ``original``: release the calibrated weights as they are (published
    estimates can be reproduced exactly; the residual risk is reported). ``released_margins``:
    recalibrate on the released values (:mod:`pipeline.sdc.microdata.weights`), so the weight gives nothing
    back. ``min_count``: with ``released_margins``, released categories with fewer records do not
    use their records' own weights (see :mod:`pipeline.sdc.microdata.weights`). ``max_linkage``: the largest
    share of protected values the released weight may give back; above it the release is refused
    (None: report only)."""

    method: Literal["original", "released_margins"] = "original"
    min_count: int = Field(default=MIN_COUNT, ge=1)
    max_linkage: float | None = Field(default=None, ge=0.0, le=1.0)


class BandRule(Spec):
    """Bands of a near-continuous item in this release (they replace the questionnaire's release
    rule for it): every substantive value must fall in a band; the last band is the top code
    ("45 and more"), the first the bottom code."""

    variable: str
    bands: tuple[Band, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _order(self) -> BandRule:
        for a, b in zip(self.bands, self.bands[1:], strict=False):
            if not a.high < b.low:  # closed bands: a value belongs to exactly one
                raise ValueError(
                    f"bands of {self.variable!r} overlap or are out of order "
                    f"({a.low:g}-{a.high:g} then {b.low:g}-{b.high:g})"
                )
        codes = [b.code for b in self.bands]
        if len(set(codes)) != len(codes):
            raise ValueError(f"bands of {self.variable!r} repeat a code")
        return self


class ItemDecisions(Spec):
    """What happens to every raw questionnaire item in the data (a public-use profile must decide
    for each; names of items or of grids, e.g. ``pv`` for pv01-pv11): ``released`` as answered,
    ``banded`` (released in the bands of ``bands`` or of the questionnaire's release rule), or
    ``dropped``. Direct identifiers, the id variable, free text, dates and items whose release rule
    drops them are never released and need no decision."""

    released: tuple[str, ...] = ()
    banded: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()


class CombinationSpec(Spec):
    """Attacker combinations (:mod:`pipeline.sdc.microdata.suda`): besides the key variables as a
    whole, every combination of at most ``max_size`` of the key variables and these released
    variables must have at least k compatible records; records below it get local suppression on
    that combination. ``variables``: released facts an intruder may know of a person (education,
    hours, absence, telework), not attitudes."""

    variables: tuple[str, ...] = ()
    max_size: int = Field(default=3, ge=1, le=4)
    # identification scenarios: each list joins the key variables as one more key set that must be
    # k-anonymous as a whole (an acquaintance who knows the key variables and the education)
    key_sets: tuple[tuple[str, ...], ...] = ()


class ReleaseProfile(Spec):
    kind: Literal["release_profile"] = "release_profile"
    schema_version: int = PROFILE_SCHEMA_VERSION
    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,63}$")
    use: Literal["public_use", "scientific_use"]
    title: Text
    k: int = Field(default=0, ge=0)  # 0: the default of the use (5 public, 3 scientific)
    max_risk: float | None = Field(default=None, gt=0.0, le=1.0)  # optional individual-risk ceiling
    key_variables: tuple[str, ...] | None = None  # None: the questionnaire's items with role key
    importance: tuple[str, ...] = ()  # key variables, most important (suppressed last) first
    # importance: spare the most important variables first, then use the fewest cells;
    # fewest_cells: the fewest suppressed values per record, importance breaks ties
    suppression: Literal["importance", "fewest_cells"] = "importance"
    recodes: Literal["all", "none"] | tuple[str, ...] = "all"  # which release recodes apply
    merge_small: tuple[MergeRule, ...] = ()
    suppressed_code: int = Field(default=SUPPRESSED_CODE, lt=0)
    suppressed_label: Text = SUPPRESSED_LABEL
    pram: PramSpec = Field(default_factory=PramSpec)
    drop: tuple[str, ...] = ()  # extra columns to drop
    keep: tuple[str, ...] | None = None  # if given: release only these (plus the release id)
    utility: UtilitySpec = Field(default_factory=UtilitySpec)
    items: ItemDecisions | None = None  # required in public use: a decision for every raw item
    bands: tuple[BandRule, ...] = ()  # bands of near-continuous items (override the questionnaire)
    combinations: CombinationSpec | None = None  # attacker combinations beyond the key set
    weights: WeightSpec = Field(default_factory=WeightSpec)
    conditions_of_use: Text
    citation: Text

    @model_validator(mode="after")
    def _defaults(self) -> ReleaseProfile:
        if self.k == 0:
            object.__setattr__(self, "k", DEFAULT_K[self.use])
        if self.k < 2:
            raise ValueError("k must be at least 2 (k = 1 protects nobody)")
        dup = sorted({v for v in self.importance if self.importance.count(v) > 1})
        if dup:
            raise ValueError(f"variables listed twice in 'importance': {', '.join(dup)}")
        banded = [b.variable for b in self.bands]
        dup = sorted({v for v in banded if banded.count(v) > 1})
        if dup:
            raise ValueError(f"variables with two band rules in 'bands': {', '.join(dup)}")
        return self

    def band_rule(self, variable: str) -> BandRule | None:
        for b in self.bands:
            if b.variable == variable:
                return b
        return None

    def applies_recode(self, variable: str) -> bool:
        if self.recodes == "all":
            return True
        if self.recodes == "none":
            return False
        return variable in self.recodes


def resolve(name_or_path: str | Path) -> Path:
    """A path, or the name of a shipped profile (``public-use``)."""
    p = Path(name_or_path)
    if p.is_file():
        return p
    shipped = RELEASES_DIR / f"{name_or_path}.yaml"
    if shipped.is_file():
        return shipped
    known = sorted(f.stem for f in RELEASES_DIR.glob("*.yaml"))
    raise SpecError(
        f"release profile {str(name_or_path)!r} not found",
        [
            Problem(
                "no such file, and not the name of a shipped profile",
                file=str(p),
                value=str(name_or_path),
                expected="one of " + ", ".join(known),
                hint="give a path to a YAML file or a shipped profile name",
            )
        ],
        code="profile_not_found",
    )


def load_profile(name_or_path: str | Path) -> ReleaseProfile:
    """Read a profile file with the project's safe YAML reader (UTF-8 only, no duplicate keys: a
    second ``k:`` must never silently win) and check its structure."""
    path = resolve(name_or_path)
    src = load_yaml(path, what="release profile", code="profile_yaml")
    return parse_profile(src.data, source=str(path), src=src)


def parse_profile(
    data: dict[str, object], *, source: str | None = None, src: Source | None = None
) -> ReleaseProfile:
    try:
        return ReleaseProfile.model_validate(data)
    except ValidationError as exc:
        problems = located_problems(exc, src, code="profile_invalid", file=source)
        raise SpecError(
            f"{source or 'release profile'}: {len(problems)} problem(s)",
            problems,
            code="profile_invalid",
        ) from None


def fill_text(text: Text, q: Questionnaire, lang: str, *, year: int | None = None) -> str:
    """A profile text (conditions of use, citation) with ``{title}``, ``{wave}``, ``{version}`` and
    ``{year}`` (default: the wave) filled in from the questionnaire."""
    values = {
        "title": q.study.title.get(lang),
        "wave": q.study.wave,
        "version": q.study.version,
        "year": year if year is not None else q.study.wave,
    }
    out = text.get(lang)
    for key, val in values.items():
        out = out.replace("{" + key + "}", str(val))
    return out


def dump_profile(profile: ReleaseProfile) -> str:
    """YAML text that loads back to an equal profile."""
    return yaml.safe_dump(
        profile.model_dump(mode="json", exclude_none=True), sort_keys=False, allow_unicode=True
    )
