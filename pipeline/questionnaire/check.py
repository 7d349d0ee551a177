"""Pass 2 of a questionnaire check: cross-references, each problem located in its file and line.

Runs only on a questionnaire whose structure is sound (pass 1). Finds every problem at once: unique
names and codes, choice lists, limits, missing codes, routing (parses, refers to existing *earlier*
items, no cycles, codes that exist), rules, scales, cut-offs inside the scale range, composites,
derived variables, release recodes, weighting/domain/strata variables, study metadata, trend mapping.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pipeline.errors import Problem, did_you_mean
from pipeline.questionnaire.expr import Compare, Expr, InList, Name, Num, try_parse, walk
from pipeline.questionnaire.model import Band, ItemType, Questionnaire, Text
from pipeline.questionnaire.module import Located
from pipeline.questionnaire.populations import POPULATIONS
from pipeline.questionnaire.source import PathT

NUMERIC = (ItemType.integer, ItemType.decimal)
CHOICE = (ItemType.single, ItemType.multiple)


class _Checker:
    def __init__(self, loc: Located) -> None:
        self.loc = loc
        self.q: Questionnaire = loc.questionnaire
        self.out: list[Problem] = []
        # variable -> (index of the item that holds it, item)
        self.var_item: dict[str, int] = {}
        for i, it in enumerate(self.q.items):
            for v in (
                self.q.item_variables(it)
                if it.choices is None or self._choices_ok(it)
                else (it.name,)
            ):
                self.var_item.setdefault(v, i)
        self.derived = {d.name: d for d in self.q.derived}

    def add(self, code: str, message: str, path: PathT, **kw: object) -> None:
        self.out.append(self.loc.problem(code, message, path, **kw))

    def _choices_ok(self, it: object) -> bool:
        try:
            self.q.choices_of(it)  # type: ignore[arg-type]
            return True
        except KeyError:
            return False

    def known(self) -> list[str]:
        return list(self.var_item) + list(self.derived)

    def codes_of_var(self, var: str) -> tuple[int, ...] | None:
        """Substantive codes a categorical variable can take (None if not categorical, or if its
        item names a choice list that does not exist: reported on its own)."""
        i = self.var_item.get(var)
        if var not in self.derived and (i is None or not self._choices_ok(self.q.items[i])):
            return None
        return self.q.codes_of(var)

    def is_numeric_var(self, var: str) -> bool:
        if var in self.derived:
            return True
        i = self.var_item.get(var)
        return i is not None and self.q.items[i].type not in (ItemType.text, ItemType.date)

    # ------------------------------------------------------------------------ expressions
    def expr(self, text: str, path: PathT, what: str) -> Expr | None:
        e, issue = try_parse(text)
        if issue is not None:
            self.add(
                "expr_syntax",
                f"{what}: {issue.message} at column {issue.column}",
                path,
                value=text,
                expected=issue.expected,
                hint=issue.hint or "see the expression language in questionnaires/README.md",
            )
            return None
        assert e is not None
        for var in sorted(e.variables):
            if var not in self.var_item and var not in self.derived:
                multi = next(
                    (it for it in self.q.items if it.name == var and it.type == ItemType.multiple),
                    None,
                )
                hint = (
                    f"{var!r} is a multiple choice item: test one option, e.g. {var}_1 == 1 (ticked)"
                    if multi is not None
                    else did_you_mean(var, self.known())
                )
                self.add(
                    "unknown_variable",
                    f"{what} uses {var!r}, which is not a variable of this questionnaire",
                    path,
                    value=text,
                    expected="an item or derived variable name",
                    hint=hint,
                )
            elif not self.is_numeric_var(var):
                self.add(
                    "expr_non_numeric",
                    f"{what} uses {var!r}, a text or date item, which has no numeric codes",
                    path,
                    value=text,
                    hint="conditions can only use numeric or coded items",
                )
        for node in walk(e):
            pairs: list[tuple[str, tuple[float, ...]]] = []
            if isinstance(node, Compare) and node.op in ("==", "!="):
                for a, b in ((node.left, node.right), (node.right, node.left)):
                    if isinstance(a, Name) and isinstance(b, Num):
                        pairs.append((a.name, (b.value,)))
            elif isinstance(node, InList) and isinstance(node.operand, Name):
                pairs.append((node.operand.name, node.values))
            for var, values in pairs:
                codes = self.codes_of_var(var)
                bad = [v for v in values if codes is not None and v not in codes]
                if bad:
                    self.add(
                        "expr_unknown_code",
                        f"{what} compares {var!r} with code {_fmt(bad[0])}, which {var!r} does not have",
                        path,
                        value=text,
                        expected="one of " + ", ".join(str(c) for c in codes or ()),
                        hint="use a code from the item's choice list",
                    )
        return e

    # ------------------------------------------------------------------------ sections
    def run(self, check_mapping: bool) -> list[Problem]:
        self.study()
        self.missing_codes()
        self.choice_lists()
        self.items()
        self.routing()
        self.derived_vars()
        self.rules()
        self.scales()
        self.indicators()
        self.settings()
        self.translations()
        if check_mapping and self.q.mapping is not None:
            self.mapping()
        return self.out

    def study(self) -> None:
        s = self.q.study
        if "nl" not in s.languages:
            self.add(
                "language_nl_required",
                "study.languages must include nl",
                ("study", "languages"),
                value=list(s.languages),
                hint="add nl (Dutch is the language of the questionnaire)",
            )
        if s.id_variable not in self.var_item:
            self.add(
                "unknown_item",
                f"id_variable {s.id_variable!r} is not an item",
                ("study", "id_variable"),
                hint=did_you_mean(s.id_variable, self.known()),
            )
        elif self.q.item(s.id_variable).role != "direct_identifier":
            self.add(
                "id_variable_role",
                f"id variable {s.id_variable!r} should have role direct_identifier",
                ("items", self.var_item[s.id_variable], "role"),
                hint="set 'role: direct_identifier' so releases drop it",
            )
        if (s.unit == "organisation") != (s.population == "ondernemingen"):
            self.add(
                "unit_population_mismatch",
                f"unit {s.unit!r} does not fit population {s.population!r}",
                ("study", "unit"),
                hint="ondernemingen have unit organisation; werknemers and zelfstandigen unit person",
            )
        for k, v in enumerate(s.strata):
            self.categorical(v, ("study", "strata", k), "stratum")
        if s.report_domain is not None and s.report_domain not in self.q.domains:
            self.add(
                "unknown_variable",
                f"report_domain {s.report_domain!r} is not one of the domains",
                ("study", "report_domain"),
                hint="name one of the questionnaire's domains (add it under domains first)",
            )

    def categorical(self, var: str, path: PathT, what: str) -> None:
        if var not in self.var_item and var not in self.derived:
            self.add(
                "unknown_variable",
                f"{what} {var!r} is not a variable of this questionnaire",
                path,
                hint=did_you_mean(var, self.known()),
            )
        elif var not in self.derived and self.q.items[self.var_item[var]].type != ItemType.single:
            self.add(
                "not_categorical",
                f"{what} {var!r} is not a single choice or derived variable",
                path,
                hint="weighting, domains and strata need coded categories",
            )

    def missing_codes(self) -> None:
        for code, n in Counter(m.code for m in self.q.missing_codes).items():
            if n > 1:
                self.add(
                    "bad_missing_code",
                    f"missing code {code} is declared {n} times",
                    ("missing_codes",),
                )
        for k, m in enumerate(self.q.missing_codes):
            if m.code >= 0:
                self.add(
                    "bad_missing_code",
                    f"missing code {m.code} is not negative",
                    ("missing_codes", k, "code"),
                    expected="a negative code (-1, -7, -8, -9)",
                    hint="substantive answers use codes >= 0",
                )

    def choice_lists(self) -> None:
        self.unique([c.name for c in self.q.choice_lists], "choice_lists", "name", "choice list")
        for k, cl in enumerate(self.q.choice_lists):
            self.choices(cl.choices, ("choice_lists", k, "choices"))

    def choices(self, choices: Iterable[object], path: PathT) -> None:
        seen: set[int] = set()
        for j, c in enumerate(choices):
            code = c.code  # type: ignore[attr-defined]
            if code in seen:
                self.add(
                    "duplicate_code",
                    f"code {code} appears twice",
                    (*path, j, "code"),
                    value=code,
                    hint="give every choice its own code",
                )
            seen.add(code)
            if code < 0:
                self.add(
                    "negative_choice_code",
                    f"choice code {code} is negative",
                    (*path, j, "code"),
                    value=code,
                    expected="a code >= 0",
                    hint="negative codes are reserved for missing_codes (-1, -7, -8, -9)",
                )

    def items(self) -> None:
        q = self.q
        self.unique([it.name for it in q.items], "items", "name", "item")
        names = {it.name for it in q.items}
        var_owner: dict[str, int] = {}
        for i, it in enumerate(q.items):
            if it.type == ItemType.multiple and self._choices_ok(it):
                for v in q.item_variables(it):
                    if v in names or v in var_owner:
                        self.add(
                            "duplicate_name",
                            f"multiple choice {it.name!r} makes variable {v!r}, which already exists",
                            ("items", i, "name"),
                            hint="rename the item or the other variable",
                        )
                    var_owner[v] = i
        declared = set(q.missing_code_values())
        for i, it in enumerate(q.items):
            p: PathT = ("items", i)
            if it.type in CHOICE:
                if it.choices is None:
                    self.add(
                        "choices_missing",
                        f"{it.type.value} choice item {it.name!r} has no choices",
                        p,
                        hint="add 'choices: <list name>' or inline choices",
                    )
                elif isinstance(it.choices, str):
                    if it.choices not in {c.name for c in q.choice_lists}:
                        self.add(
                            "unknown_choice_list",
                            f"item {it.name!r} uses choice list {it.choices!r}, which is not defined",
                            (*p, "choices"),
                            hint=did_you_mean(it.choices, [c.name for c in q.choice_lists]),
                        )
                else:
                    self.choices(it.choices, (*p, "choices"))
            elif it.choices is not None:
                self.add(
                    "choices_not_allowed",
                    f"{it.type.value} item {it.name!r} has choices",
                    (*p, "choices"),
                    hint="remove the choices or make it a single/multiple choice item",
                )
            if it.limits is not None:
                if it.type not in NUMERIC:
                    self.add(
                        "limits_not_numeric",
                        f"{it.type.value} item {it.name!r} has limits",
                        (*p, "limits"),
                        hint="limits apply to integer and decimal items",
                    )
                chain = [
                    (k, getattr(it.limits, k))
                    for k in ("hard_min", "soft_min", "soft_max", "hard_max")
                ]
                chain = [(k, v) for k, v in chain if v is not None]
                for (k1, v1), (k2, v2) in zip(chain, chain[1:], strict=False):
                    if v1 > v2:
                        self.add(
                            "limits_order",
                            f"{k1} ({_fmt(v1)}) is above {k2} ({_fmt(v2)})",
                            (*p, "limits", k2),
                            expected="hard_min <= soft_min <= soft_max <= hard_max",
                            hint="swap or correct the limits",
                        )
            for j, code in enumerate(it.missing):
                if code not in declared:
                    self.add(
                        "undeclared_missing_code",
                        f"item {it.name!r} allows missing code {code}, which is not declared",
                        (*p, "missing", j),
                        value=code,
                        expected="one of " + ", ".join(map(str, sorted(declared))),
                    )
            if it.modes is not None:
                for j, m in enumerate(it.modes):
                    if m not in q.study.modes:
                        self.add(
                            "mode_not_in_study",
                            f"item {it.name!r} is limited to mode {m!r}, which the study does not field",
                            (*p, "modes", j),
                            expected="one of " + ", ".join(q.study.modes),
                        )
            if it.release is not None:
                self.release(i)

    def release(self, i: int) -> None:
        it = self.q.items[i]
        r = it.release
        assert r is not None
        p: PathT = ("items", i, "release")
        if (r.bands or r.top_code is not None) and it.type not in NUMERIC:
            self.add(
                "recode_not_numeric",
                f"bands/top_code on {it.type.value} item {it.name!r}",
                p,
                hint="use 'map' to coarsen coded items",
            )
        if r.bands:
            self.bands(r.bands, (*p, "bands"))
        if r.map:
            codes = {c.code for c in self.q.choices_of(it)} if self._choices_ok(it) else set()
            targets = {c.code for c in r.map_labels} if r.map_labels else None
            sources = Counter(a for a, _ in r.map)
            for j, (a, b) in enumerate(r.map):
                if it.type in CHOICE and a not in codes:
                    self.add(
                        "recode_unknown_code",
                        f"release map recodes {a}, which {it.name!r} does not have",
                        (*p, "map", j),
                        expected="one of " + ", ".join(map(str, sorted(codes))),
                    )
                if sources[a] > 1:
                    self.add(
                        "duplicate_code", f"release map recodes {a} more than once", (*p, "map", j)
                    )
                    sources[a] = 1
                if targets is not None and b not in targets:
                    self.add(
                        "recode_unknown_code",
                        f"release map recodes to {b}, which has no label in map_labels",
                        (*p, "map", j),
                        hint="add it to map_labels",
                    )
            missing = codes - set(sources) if it.type in CHOICE else set()
            if missing:
                self.add(
                    "recode_unknown_code",
                    f"release map leaves code(s) {sorted(missing)} of {it.name!r} unmapped",
                    (*p, "map"),
                    hint="map every code, or the release would keep fine codes",
                )

    def bands(self, bands: tuple[Band, ...], path: PathT) -> None:
        for (j, a), b in zip(enumerate(bands), bands[1:], strict=False):
            if not (a.low <= a.high < b.low <= b.high):
                self.add(
                    "band_overlap",
                    f"bands {_fmt(a.low)}-{_fmt(a.high)} and {_fmt(b.low)}-{_fmt(b.high)} overlap or are out of order",
                    (*path, j + 1),
                    hint="order bands from low to high without overlap",
                )
        if bands and bands[-1].low > bands[-1].high:
            self.add("band_overlap", "a band's low is above its high", (*path, len(bands) - 1))
        for code, n in Counter(b.code for b in bands).items():
            if n > 1:
                self.add("duplicate_code", f"band code {code} is used {n} times", path)

    def routing(self) -> None:
        deps: dict[int, set[int]] = {}
        for i, it in enumerate(self.q.items):
            if it.relevant is None:
                continue
            e = self.expr(it.relevant, ("items", i, "relevant"), f"routing of {it.name!r}")
            if e is None:
                continue
            targets = set()
            for v in e.variables:
                j = self.var_item.get(v)
                if j is None and v in self.derived:
                    j = self.var_item.get(self.derived[v].source)
                if j is not None:
                    targets.add(j)
            deps[i] = targets
        in_cycle = _cycles(deps)
        for cyc in in_cycle:
            names = " -> ".join(self.q.items[j].name for j in (*cyc, cyc[0]))
            self.add(
                "routing_cycle",
                f"routing conditions depend on each other in a circle: {names}",
                ("items", cyc[0], "relevant"),
                hint="routing may only depend on items asked earlier",
            )
        cyclic = {j for c in in_cycle for j in c}
        for i, targets in deps.items():
            for j in sorted(targets):
                if j > i and i not in cyclic:
                    self.add(
                        "routing_forward_reference",
                        f"routing of {self.q.items[i].name!r} depends on {self.q.items[j].name!r}, which is asked later",
                        ("items", i, "relevant"),
                        value=self.q.items[i].relevant,
                        hint="move the item after the one it depends on, or change the condition",
                    )

    def derived_vars(self) -> None:
        self.unique([d.name for d in self.q.derived], "derived", "name", "derived variable")
        for k, d in enumerate(self.q.derived):
            if d.name in self.var_item:
                self.add(
                    "duplicate_name",
                    f"derived variable {d.name!r} has the name of an item variable",
                    ("derived", k, "name"),
                )
            if d.source not in self.var_item:
                self.add(
                    "unknown_item",
                    f"derived {d.name!r} comes from {d.source!r}, which is not an item",
                    ("derived", k, "source"),
                    hint=did_you_mean(d.source, list(self.var_item)),
                )
            elif self.q.items[self.var_item[d.source]].type not in NUMERIC:
                self.add(
                    "recode_not_numeric",
                    f"derived {d.name!r} bands {d.source!r}, which is not numeric",
                    ("derived", k, "source"),
                )
            self.bands(d.bands, ("derived", k, "bands"))

    def rules(self) -> None:
        self.unique([r.id for r in self.q.rules], "rules", "id", "rule")
        for k, r in enumerate(self.q.rules):
            self.expr(r.check, ("rules", k, "check"), f"rule {r.id} check")
            if r.when is not None:
                self.expr(r.when, ("rules", k, "when"), f"rule {r.id} when")

    def scales(self) -> None:
        self.unique([s.name for s in self.q.scales], "scales", "name", "scale")
        for k, s in enumerate(self.q.scales):
            p: PathT = ("scales", k)
            lists = set()
            for j, name in enumerate(s.items):
                if name not in self.var_item or self.q.items[self.var_item[name]].name != name:
                    self.add(
                        "unknown_item",
                        f"scale {s.name!r} uses {name!r}, which is not an item",
                        (*p, "items", j),
                        hint=did_you_mean(name, [it.name for it in self.q.items]),
                    )
                    continue
                it = self.q.item(name)
                if (
                    it.type != ItemType.single
                    or not self._choices_ok(it)
                    or not self.q.choices_of(it)
                ):
                    self.add(
                        "scale_item_not_scorable",
                        f"scale {s.name!r} uses {name!r}, a {it.type.value} item",
                        (*p, "items", j),
                        hint="scale items are single choice items with scored choices",
                    )
                else:
                    lists.add(
                        it.choices
                        if isinstance(it.choices, str)
                        else tuple(c.code for c in self.q.choices_of(it))
                    )
            if len(lists) > 1:
                self.add(
                    "scale_mixed_choices",
                    f"items of scale {s.name!r} use different choice lists",
                    (*p, "items"),
                    hint="a scale is scored on one answer scale",
                )
            for j, name in enumerate(s.reverse):
                if name not in s.items:
                    self.add(
                        "reverse_not_in_scale",
                        f"reverse item {name!r} is not an item of scale {s.name!r}",
                        (*p, "reverse", j),
                        expected="one of " + ", ".join(s.items),
                    )
            if not 1 <= s.scoring.min_valid <= len(s.items):
                self.add(
                    "min_valid_range",
                    f"min_valid {s.scoring.min_valid} for a scale of {len(s.items)} items",
                    (*p, "scoring", "min_valid"),
                    expected=f"1 to {len(s.items)}",
                )
            if s.scoring.min >= s.scoring.max:
                self.add(
                    "scoring_range",
                    f"scoring.min {_fmt(s.scoring.min)} is not below scoring.max {_fmt(s.scoring.max)}",
                    (*p, "scoring"),
                )

    def indicators(self) -> None:
        q = self.q
        self.unique([i.name for i in q.indicators], "indicators", "name", "indicator")
        kinds = {i.name: i.kind for i in q.indicators}
        scales = {s.name: s for s in q.scales}
        variables = set(self.var_item) | set(self.derived)
        for k, ind in enumerate(q.indicators):
            p: PathT = ("indicators", k)
            for col in (ind.name, f"tl_{ind.name}", f"{ind.name}_acuut"):
                if col in variables:
                    self.add(
                        "duplicate_name",
                        f"indicator {ind.name!r} would create column {col!r}, which is a variable",
                        (*p, "name"),
                        hint="rename the indicator",
                    )
            if ind.kind == "traffic_light":
                s = scales.get(ind.scale or "")
                if s is None:
                    self.add(
                        "unknown_scale",
                        f"indicator {ind.name!r} uses scale {ind.scale!r}, which is not defined",
                        (*p, "scale"),
                        hint=did_you_mean(ind.scale or "", list(scales)),
                    )
                for pop, c in (ind.cutoffs or {}).items():
                    cp: PathT = (*p, "cutoffs", pop)
                    if pop != "default" and pop not in POPULATIONS:
                        self.add(
                            "cutoff_population_unknown",
                            f"cut-offs for unknown population {pop!r}",
                            cp,
                            expected="'default' or one of " + ", ".join(POPULATIONS),
                        )
                    if s is not None:
                        lo, hi = s.scoring.min, s.scoring.max
                        for name in ("problematisch", "acuut"):
                            v = getattr(c, name)
                            if v is not None and not lo <= v <= hi:
                                self.add(
                                    "cutoff_out_of_range",
                                    f"{name} cut-off {_fmt(v)} lies outside the scale range {_fmt(lo)}-{_fmt(hi)}",
                                    (*cp, name),
                                    value=v,
                                    expected=f"a value from {_fmt(lo)} to {_fmt(hi)}",
                                )
                    if c.acuut is not None and (
                        (ind.problem_if == "high" and c.acuut < c.problematisch)
                        or (ind.problem_if == "low" and c.acuut > c.problematisch)
                    ):
                        side = "at or above" if ind.problem_if == "high" else "at or below"
                        self.add(
                            "cutoff_order",
                            f"acuut ({_fmt(c.acuut)}) must lie {side} problematisch ({_fmt(c.problematisch)}) "
                            f"when problem_if is {ind.problem_if}",
                            (*cp, "acuut"),
                            hint="swap the values or change problem_if",
                        )
            elif ind.kind == "numeric":
                assert ind.variable is not None  # guaranteed by the model
                if ind.variable not in self.var_item:
                    self.add(
                        "unknown_variable",
                        f"indicator {ind.name!r} summarises {ind.variable!r}, which is not an item",
                        (*p, "variable"),
                        hint=did_you_mean(ind.variable, self.known()),
                    )
                elif q.item(ind.variable).type not in NUMERIC:
                    self.add(
                        "not_numeric",
                        f"indicator {ind.name!r} summarises {ind.variable!r}, which is not numeric",
                        (*p, "variable"),
                        hint="give an integer or decimal item",
                    )
            elif ind.kind == "condition":
                assert ind.condition is not None  # guaranteed by the model
                self.expr(ind.condition, (*p, "condition"), f"indicator {ind.name!r} condition")
                if ind.defined_if is not None:
                    self.expr(
                        ind.defined_if, (*p, "defined_if"), f"indicator {ind.name!r} defined_if"
                    )
            else:
                want = "none_problem" if ind.kind == "composite" else "count_problem"
                if ind.rule not in (None, want):
                    self.add(
                        "bad_value",
                        f"a {ind.kind} indicator uses rule {want!r}",
                        (*p, "rule"),
                        value=ind.rule,
                    )
                for j, name in enumerate(ind.of):
                    if name not in kinds:
                        self.add(
                            "unknown_indicator",
                            f"{ind.name!r} combines {name!r}, which is not an indicator",
                            (*p, "of", j),
                            hint=did_you_mean(name, list(kinds)),
                        )
                    elif kinds[name] != "traffic_light":
                        self.add(
                            "composite_of_non_traffic_light",
                            f"{ind.name!r} combines {name!r}, a {kinds[name]} indicator",
                            (*p, "of", j),
                        )

    def settings(self) -> None:
        q = self.q
        for k, v in enumerate(q.weighting):
            self.categorical(v, ("weighting", k), "weighting variable")
        for k, v in enumerate(q.domains):
            self.categorical(v, ("domains", k), "domain")
        qu = q.quality
        if qu.speeder_variable is not None:
            if qu.speeder_variable not in self.var_item:
                self.add(
                    "unknown_variable",
                    f"speeder_variable {qu.speeder_variable!r} is not an item",
                    ("quality", "speeder_variable"),
                    hint=did_you_mean(qu.speeder_variable, self.known()),
                )
            elif q.item(qu.speeder_variable).type not in NUMERIC:
                self.add(
                    "not_categorical",
                    f"speeder_variable {qu.speeder_variable!r} is not numeric",
                    ("quality", "speeder_variable"),
                )
        if qu.target_population is not None:
            self.expr(qu.target_population, ("quality", "target_population"), "target population")

    def translations(self) -> None:
        langs = [lang for lang in self.q.study.languages if lang != "nl"]
        if not langs:
            return
        for path, text in _texts(self.q):
            for lang in langs:
                if not getattr(text, lang, None):
                    self.add(
                        "missing_translation",
                        f"no {lang} text",
                        path,
                        hint=f"add '{lang}: ...' next to nl",
                    )

    def mapping(self) -> None:
        from pipeline.questionnaire.load import _find, locate

        m = self.q.mapping
        assert m is not None
        prev_path = _find(m.previous, relative_to=self.loc.root.path)
        prev = locate(prev_path)[0] if prev_path is not None else None
        if prev is None:
            self.add(
                "mapping_previous_not_found",
                f"previous wave {m.previous!r} cannot be loaded",
                ("mapping", "previous"),
                hint="give the id of a shipped questionnaire; check it with 'wbm questionnaire check'",
            )
            return
        pq = prev.questionnaire
        prev_vars = set(pq.known_variables())
        for j, (this, before) in enumerate(m.items):
            if this not in self.var_item and this not in self.derived:
                self.add(
                    "unknown_item",
                    f"mapping names {this!r}, which is not a variable of this wave",
                    ("mapping", "items", j),
                    hint=did_you_mean(this, self.known()),
                )
            if before not in prev_vars:
                self.add(
                    "unknown_item",
                    f"mapping names {before!r}, which is not a variable of {pq.study.id}",
                    ("mapping", "items", j),
                    hint=did_you_mean(before, list(prev_vars)),
                )
            elif this in self.var_item:
                a, b = self.codes_of_var(this), pq.codes_of(before)
                if a is not None and b is not None and set(a) != set(b):
                    self.add(
                        "mapping_code_mismatch",
                        f"{this!r} has codes {sorted(a)} but {before!r} in {pq.study.id} has {sorted(b)}",
                        ("mapping", "items", j),
                        hint="trends need the same codes; recode one wave first",
                    )
        this_ind = {i.name for i in self.q.indicators}
        prev_ind = {i.name for i in pq.indicators}
        for j, (this, before) in enumerate(m.indicators):
            if this not in this_ind:
                self.add(
                    "unknown_indicator",
                    f"mapping names indicator {this!r}, which this wave does not define",
                    ("mapping", "indicators", j),
                    hint=did_you_mean(this, list(this_ind)),
                )
            if before not in prev_ind:
                self.add(
                    "unknown_indicator",
                    f"mapping names indicator {before!r}, which {pq.study.id} does not define",
                    ("mapping", "indicators", j),
                    hint=did_you_mean(before, list(prev_ind)),
                )

    def unique(self, names: list[str], section: str, key: str, what: str) -> None:
        first: dict[str, int] = {}
        for k, n in enumerate(names):
            if n in first:
                self.add(
                    "duplicate_name",
                    f"{what} name {n!r} is used twice (first at {section}[{first[n]}])",
                    (section, k, key),
                    value=n,
                    hint=f"give each {what} a unique name",
                )
            else:
                first[n] = k


def _texts(q: Questionnaire) -> Iterable[tuple[PathT, Text]]:
    yield ("study", "title"), q.study.title
    for k, cl in enumerate(q.choice_lists):
        for j, c in enumerate(cl.choices):
            yield ("choice_lists", k, "choices", j, "label"), c.label
    for i, it in enumerate(q.items):
        yield ("items", i, "label"), it.label
        if it.text is not None:
            yield ("items", i, "text"), it.text
        if not isinstance(it.choices, (str, type(None))):
            for j, c in enumerate(it.choices):
                yield ("items", i, "choices", j, "label"), c.label
    for k, s in enumerate(q.scales):
        yield ("scales", k, "label"), s.label
    for k, ind in enumerate(q.indicators):
        yield ("indicators", k, "label"), ind.label


def _cycles(deps: dict[int, set[int]]) -> list[tuple[int, ...]]:
    """Elementary cycles found by DFS (each reported once, as a rotation starting at its smallest node)."""
    found: set[tuple[int, ...]] = set()
    state: dict[int, int] = {}
    stack: list[int] = []

    def visit(n: int) -> None:
        state[n] = 1
        stack.append(n)
        for m in sorted(deps.get(n, ())):
            if state.get(m) == 1:
                cyc = stack[stack.index(m) :]
                r = cyc.index(min(cyc))
                found.add(tuple(cyc[r:] + cyc[:r]))
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(deps):
        if n not in state:
            visit(n)
    return sorted(found)


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def cross_reference_problems(loc: Located, *, check_mapping: bool = True) -> list[Problem]:
    return _Checker(loc).run(check_mapping)
