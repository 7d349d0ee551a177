"""Cross-checks of a synthetic model against the questionnaire it generates answers for.

Every problem is reported at once (:class:`pipeline.errors.SpecError` with one located
:class:`~pipeline.errors.Problem` each): names the questionnaire does not have, codes outside a
variable's choice list, share lists of the wrong length or not summing to 1, a mode of the
questionnaire the model has no writer for.
"""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.errors import Problem, SpecError
from pipeline.questionnaire.model import ItemType, Questionnaire
from pipeline.synth.spec import Effects, SynthModel

SHARE_TOL = 1e-6


def variable_codes(q: Questionnaire, name: str) -> tuple[int, ...]:
    """Codes of a population variable: a single-choice item's choices or a derived variable's bands
    (KeyError: no such variable; an empty tuple: not categorical)."""
    codes = q.codes_of(name)
    if codes is None and name not in q.known_variables():
        raise KeyError(name)
    return codes or ()


class _Checker:
    def __init__(self, model: SynthModel, q: Questionnaire) -> None:
        self.model, self.q = model, q
        self.probs: list[Problem] = []
        self.codes: dict[str, tuple[int, ...]] = {}
        self.items = {it.name: it for it in q.items}

    def bad(self, path: str, msg: str, value: object = None, expected: str | None = None) -> None:
        self.probs.append(
            Problem(
                msg,
                file=f"{self.model.name}.yaml",
                path=path,
                value=value,
                expected=expected,
                code="model_questionnaire_mismatch",
            )
        )

    def shares(self, path: str, row: tuple[float, ...], n: int | None = None) -> None:
        if n is not None and len(row) != n:
            self.bad(path, "needs one share per code", len(row), str(n))
        if any(x < 0 for x in row) or abs(sum(row) - 1.0) > SHARE_TOL:
            self.bad(
                path, "shares must be >= 0 and sum to 1", round(sum(row), 9), f"1 +- {SHARE_TOL}"
            )

    def keys(self, path: str, mapping: Mapping[int, object], var: str, complete: bool) -> None:
        known = set(self.codes.get(var, ()))
        extra = sorted(set(mapping) - known)
        if extra:
            self.bad(path, f"unknown {var} code(s)", extra, f"codes of {var}: {sorted(known)}")
        if complete and set(mapping) != known:
            self.bad(path, f"every {var} code needs an entry", sorted(known - set(mapping)))

    def effects(self, path: str, eff: Effects) -> None:
        for var, table in eff.items():
            if var not in self.codes:
                self.bad(
                    f"{path}.{var}",
                    "effects may only use the population variables",
                    var,
                    ", ".join(self.codes),
                )
            else:
                self.keys(f"{path}.{var}", table, var, False)

    # ------------------------------------------------------------------------------ population
    def population(self) -> None:
        pop, q = self.model.population, self.q
        for i, var in enumerate(pop.variables):
            path = f"population.variables[{i}]"
            try:
                self.codes[var.name] = variable_codes(q, var.name)
            except KeyError:
                self.bad(
                    path,
                    f"the questionnaire has no variable {var.name!r}, which the model needs",
                    var.name,
                    "a single-choice item or a derived variable",
                )
                continue
            n = len(self.codes[var.name])
            if var.given is not None and var.given not in self.codes:
                self.bad(
                    f"{path}.given", "must name a population variable listed before it", var.given
                )
                continue
            if isinstance(var.shares, dict):
                self.keys(f"{path}.shares", var.shares, var.name, True)
                self.shares(f"{path}.shares", tuple(var.shares.values()))
            elif var.shares is not None:
                self.shares(f"{path}.shares", var.shares, n)
            if var.given is not None:
                self.keys(f"{path}.by", var.by, var.given, var.shares is None)
                for k, row in var.by.items():
                    self.shares(f"{path}.by[{k}]", row, n)
        names = [v.name for v in pop.variables]
        if sorted(pop.cell_order) != sorted(names):
            self.bad(
                "population.cells",
                "must list every population variable once",
                list(pop.cell_order),
                ", ".join(names),
            )
        if pop.age is not None:
            band = next((d for d in q.derived if d.name == pop.age.band), None)
            if (
                pop.age.variable not in self.items
                or band is None
                or band.source != pop.age.variable
            ):
                self.bad(
                    "population.age",
                    f"{pop.age.band!r} must be derived from item {pop.age.variable!r}",
                )
            elif pop.age.band not in self.codes:
                self.bad("population.age.band", "must be a population variable", pop.age.band)
        for i, mag in enumerate(pop.magnitudes):
            path = f"population.magnitudes[{i}]"
            it = self.items.get(mag.variable)
            if it is None or it.type != ItemType.integer:
                self.bad(
                    f"{path}.variable", "must be an integer item of the questionnaire", mag.variable
                )
            if mag.given not in self.codes:
                self.bad(f"{path}.given", "must be a population variable", mag.given)
            else:
                self.keys(f"{path}.ranges", mag.ranges, mag.given, True)
            for k, (lo, hi) in mag.ranges.items():
                if not 1 <= lo <= hi:
                    self.bad(f"{path}.ranges[{k}]", "needs 1 <= low <= high", (lo, hi))
        mags = {m.variable for m in pop.magnitudes}
        for i, mf in enumerate(pop.margins):
            for g in mf.groups or ():
                for v in g:
                    if v not in self.codes:
                        self.bad(f"population.margins[{i}].groups", "not a population variable", v)
            if mf.size is not None and mf.size not in mags:
                self.bad(f"population.margins[{i}].size", "must be a magnitude", mf.size)
            if (i == 0) != (mf.weight_column is None):
                self.bad(
                    f"population.margins[{i}].weight_column",
                    "the first margins file is the main weight's (no weight_column); every further file needs one",
                )
        if not pop.margins:
            self.bad("population.margins", "at least one margins file is needed")
        for w in q.weighting:
            if w not in self.codes and pop.margins and pop.margins[0].groups is None:
                self.bad(
                    "population.variables",
                    f"weighting variable {w!r} of the questionnaire is not a population variable",
                    w,
                )

    def sample(self) -> None:
        s = self.model.sample
        for v in s.strata:
            if v not in self.codes:
                self.bad("sample.strata", "not a population variable", v)
        if s.allocation is not None:
            if s.allocation.by not in s.strata:
                self.bad("sample.allocation.by", "must be a stratum variable", s.allocation.by)
            else:
                self.keys("sample.allocation.rate", s.allocation.rate, s.allocation.by, True)

    def traits(self) -> None:
        t, q = self.model.traits, self.q
        ind_names = {i.name: i for i in q.indicators}
        for name, spec in t.indicators.items():
            if name not in ind_names or ind_names[name].kind != "traffic_light":
                self.bad(
                    f"traits.indicators.{name}",
                    "not a traffic-light indicator of the questionnaire",
                    name,
                )
            self.effects(f"traits.indicators.{name}.effects", spec.effects)
        if t.composite is not None:
            comp = ind_names.get(t.composite)
            if comp is None or comp.kind != "composite":
                self.bad(
                    "traits.composite",
                    "not a composite indicator of the questionnaire",
                    t.composite,
                )
        if t.composite_by is not None:
            if t.composite_by.variable not in self.codes:
                self.bad(
                    "traits.composite_by.variable",
                    "must be a population variable",
                    t.composite_by.variable,
                    ", ".join(sorted(self.codes)),
                )
            else:
                self.keys(
                    "traits.composite_by.targets",
                    t.composite_by.targets,
                    t.composite_by.variable,
                    False,
                )
        scales = [ind_names[n].scale for n in t.indicators if n in ind_names]
        dup = sorted({s for s in scales if s is not None and scales.count(s) > 1})
        if dup:
            self.bad(
                "traits.indicators",
                "two indicators of the same scale cannot both drive its latent trait",
                dup,
            )

    def response(self) -> None:
        m, q = self.model, self.q
        r = m.response
        self.effects("response.effects", r.effects)
        self.effects("response.web_effects", r.web_effects)
        missing = [mode for mode in q.study.modes if mode not in m.modes]
        if missing:
            self.bad(
                "modes",
                f"the questionnaire's mode(s) {missing} have no section in the model",
                missing,
                "paper, web or cati sections",
            )
        if (
            "paper" in q.study.modes
            and "web" in q.study.modes
            and (r.web_share is None or r.both_modes is None)
        ):
            self.bad(
                "response.web_share",
                "a paper + web questionnaire needs response.web_share and response.both_modes",
            )
        if r.web_measurement is not None:
            unknown = sorted(set(r.web_measurement.shift) - set(m.traits.indicators))
            if unknown:
                self.bad(
                    "response.web_measurement",
                    "shifts an indicator that has no latent trait in traits.indicators",
                    unknown,
                )
        if r.out_of_target is not None:
            it = self.items.get(r.out_of_target.item)
            codes = [c.code for c in q.choices_of(it)] if it is not None else []
            if r.out_of_target.code not in codes:
                self.bad(
                    "response.out_of_target",
                    "needs a single-choice item and one of its codes",
                    (r.out_of_target.item, r.out_of_target.code),
                )
        if "cati" in q.study.modes and m.cati is not None:
            d = m.cati.nonresponse
            self.shares("cati.nonresponse", (d.partial, d.refusal, d.non_contact, d.other))

    def items_(self) -> None:
        q = self.q
        scale_items = {i for s in q.scales for i in s.items}
        order = [it.name for it in q.items]
        latents = set(self.model.traits.indicators)
        for name, spec in self.model.items.items():
            path = f"items.{name}"
            it = self.items.get(name)
            if it is None or name in scale_items:
                self.bad(path, "not an item outside the scales of the questionnaire", name)
                continue
            codes = [c.code for c in q.choices_of(it)]
            before = set(order[: order.index(name)])
            for v in (
                spec.given,
                spec.split.given if spec.split else None,
                spec.p.given if spec.p else None,
            ):
                if v is not None and v not in self.codes and v not in before:
                    self.bad(
                        path, "'given' must be a population variable or an item asked before", v
                    )
            if spec.of is not None and spec.of not in before:
                self.bad(f"{path}.of", "must be an item asked before", spec.of)
            for lat in spec.latents:
                if lat not in latents:
                    self.bad(
                        f"{path}.latents",
                        "not an indicator with a latent trait in traits.indicators",
                        lat,
                    )
            self.effects(f"{path}.effects", spec.effects)
            kind = spec.kind
            if kind == "categorical":
                if spec.shares is not None:
                    self.shares(f"{path}.shares", spec.shares, len(codes))
                for k, row in spec.by.items():
                    self.shares(f"{path}.by[{k}]", row, len(codes))
                if spec.shares is None and not spec.by:
                    self.bad(path, "a categorical item needs 'shares' or 'by'")
                if spec.given is not None and spec.given in self.codes:
                    self.keys(f"{path}.by", spec.by, spec.given, spec.shares is None)
            elif kind == "discrete":
                for field in ("values", "values_else"):
                    rows = getattr(spec, field)
                    if rows:
                        self.shares(f"{path}.{field}", tuple(p for _v, p in rows))
                if not spec.values or (spec.split is not None) != bool(spec.values_else):
                    self.bad(
                        path,
                        "a discrete item needs 'values' (and 'values_else' exactly when 'split' is given)",
                    )
            elif kind in ("binary", "ordinal") and it.type != ItemType.single:
                self.bad(path, f"a {kind} item must be a single-choice item", it.type.value)
            elif kind == "binary" and len(codes) != 2:
                self.bad(path, "a binary item needs exactly two codes (yes first)", codes)
            elif kind == "ordinal" and len(spec.cutpoints) != len(codes) - 1:
                self.bad(
                    f"{path}.cutpoints",
                    "needs one cut-point fewer than the item has codes",
                    len(spec.cutpoints),
                    str(len(codes) - 1),
                )
            elif kind == "lognormal" and it.type not in (ItemType.integer, ItemType.decimal):
                self.bad(path, "a lognormal item must be a numeric item", it.type.value)
            elif kind in ("poisson", "spell_days", "per_unit", "lognormal") and spec.mean is None:
                self.bad(f"{path}.mean", f"a {kind} item needs 'mean'")
            elif kind == "text" and (spec.share is None or not spec.texts):
                self.bad(path, "a text item needs 'share' and 'texts'")
            elif kind == "constant" and spec.value is None:
                self.bad(path, "a constant item needs 'value'")
            if kind in ("spell_days", "per_unit") and spec.of is None:
                self.bad(f"{path}.of", f"a {kind} item needs 'of'")
        conditions = {i.name for i in q.indicators if i.kind == "condition"}
        for name, target in self.model.module_targets.items():
            if name not in conditions:
                self.bad(
                    f"module_targets.{name}",
                    "not a module (condition) indicator of the questionnaire",
                    name,
                    ", ".join(sorted(conditions)),
                )
            elif not 0.0 <= target.value <= 1.0:
                self.bad(f"module_targets.{name}.value", "a share must lie in [0, 1]", target.value)


def check_model(model: SynthModel, q: Questionnaire) -> None:
    """Raise :class:`SpecError` listing every mismatch between the model and the questionnaire."""
    c = _Checker(model, q)
    c.population()
    if not c.probs:
        c.sample()
        c.traits()
        c.response()
        c.items_()
    if c.probs:
        c.probs.append(
            Problem(
                f"model {model.name!r} describes the {model.instrument} survey of {model.wave}",
                hint="choose the model for this questionnaire (wbm synth --model NAME) or adapt "
                "the model file in pipeline/synth/models/",
                code="model_questionnaire_mismatch",
            )
        )
        raise SpecError(
            f"questionnaire {q.study.id!r} does not fit the synthetic model {model.name!r}", c.probs
        )
