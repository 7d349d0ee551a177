"""A printable proof of the questionnaire (HTML), with routing as a respondent sees it.

Questions are numbered in order; items of one grid (``grid: wb``) are printed as one table; a
routed question says "Alleen beantwoorden als u bij vraag 45 'ja' antwoordde."; and the filter
question gets "-> ga naar vraag N" next to each answer that skips what follows (worked out by
evaluating the routing conditions, not written by hand).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.questionnaire.expr import evaluate, parse
from pipeline.questionnaire.model import Item, ItemType, Questionnaire
from pipeline.questionnaire.wording import Describer, words

TEMPLATES = Path(__file__).parent / "templates"

_UI: dict[str, dict[str, Any]] = {
    "nl": {
        "multiple": "Meerdere antwoorden mogelijk.",
        "proof": "Drukproef",
        "reference": "Referentieversie",
        "id": "Steekproefnummer",
        "end": "Einde van de vragenlijst. Hartelijk dank!",
        "question": "Vraag",
        "mode": {
            "paper": "papieren vragenlijst",
            "web": "webvragenlijst",
            "cati": "telefonische vragenlijst",
        },
    },
    "en": {
        "multiple": "Several answers possible.",
        "proof": "Proof",
        "reference": "Reference version",
        "id": "Sample number",
        "end": "End of the questionnaire. Thank you!",
        "question": "Question",
        "mode": {
            "paper": "paper questionnaire",
            "web": "web questionnaire",
            "cati": "telephone questionnaire",
        },
    },
}


@dataclass(frozen=True)
class Answer:
    code: int
    label: str
    goto: str | None = None  # "ga naar vraag 47"


@dataclass(frozen=True)
class Question:
    number: str
    name: str
    text: str
    kind: str  # single, multiple, integer, decimal, text, date
    answers: tuple[Answer, ...] = ()
    only_if: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Block:
    """A section heading, a single question, or a grid of questions sharing one answer scale."""

    kind: str  # section | question | grid
    heading: str | None = None
    questions: tuple[Question, ...] = ()
    columns: tuple[str, ...] = ()
    only_if: str | None = None


@dataclass(frozen=True)
class Proof:
    title: str
    subtitle: str
    note: str | None
    blocks: tuple[Block, ...] = field(default_factory=tuple)


def _asked(q: Questionnaire, mode: str) -> list[Item]:
    return [
        it
        for it in q.items
        if it.name != q.study.id_variable and (it.modes is None or mode in it.modes)
    ]


def _gotos(
    q: Questionnaire, items: list[Item], numbers: dict[str, str], lang: str
) -> dict[tuple[str, int], str]:
    """For a single choice item F: answer codes after which the next question(s) are skipped."""
    out: dict[tuple[str, int], str] = {}
    w = words(lang)
    conds = {it.name: parse(it.relevant) for it in items if it.relevant}
    for i, it in enumerate(items):
        if it.type != ItemType.single or i + 1 >= len(items):
            continue
        nxt = items[i + 1]
        if nxt.name not in conds or conds[nxt.name].variables != {it.name}:
            continue
        for c in q.choices_of(it):
            col = {it.name: np.array([float(c.code)])}
            target = None
            for later in items[i + 1 :]:
                e = conds.get(later.name)
                if e is None or e.variables != {it.name} or bool(evaluate(e, col)[0]):
                    target = later
                    break
            if target is not nxt:
                out[(it.name, c.code)] = (
                    str(w["goto"]).format(n=numbers[target.name])
                    if target is not None
                    else str(w["goto_end"])
                )
    return out


def build_proof(q: Questionnaire, lang: str = "nl", mode: str = "paper") -> Proof:
    ui = _UI.get(lang, _UI["nl"])
    items = _asked(q, mode)
    numbers = {it.name: str(k) for k, it in enumerate(items, 1)}
    desc = Describer(q, lang, numbers)
    gotos = _gotos(q, items, numbers, lang)
    blocks: list[Block] = []
    k = 0
    while k < len(items):
        it = items[k]
        if it.section is not None:
            blocks.append(Block("section", heading=it.section.get(lang)))
        if it.grid and it.type == ItemType.single:
            group = [it]
            while (
                k + len(group) < len(items)
                and items[k + len(group)].grid == it.grid
                and items[k + len(group)].section is None
                and items[k + len(group)].relevant == it.relevant
            ):
                group.append(items[k + len(group)])
            cols = tuple(c.label.get(lang) for c in q.choices_of(it))
            qs = tuple(
                Question(numbers[g.name], g.name, (g.text or g.label).get(lang), "single")
                for g in group
            )
            blocks.append(
                Block(
                    "grid",
                    questions=qs,
                    columns=cols,
                    only_if=desc.only_if(it.relevant) if it.relevant else None,
                )
            )
            k += len(group)
            continue
        answers = tuple(
            Answer(c.code, c.label.get(lang), gotos.get((it.name, c.code)))
            for c in q.choices_of(it)
        )
        text = (it.text or it.label).get(lang)
        if it.text is None:
            text = text[:1].upper() + text[1:] + ("?" if not text.endswith("?") else "")
        blocks.append(
            Block(
                "question",
                questions=(
                    Question(
                        numbers[it.name],
                        it.name,
                        text,
                        it.type.value,
                        answers,
                        desc.only_if(it.relevant) if it.relevant else None,
                        it.unit,
                    ),
                ),
            )
        )
        k += 1
    status = ui["reference"] if q.study.status == "reference" else ""
    subtitle = f"{ui['proof']} - {ui['mode'][mode]} - {q.study.id} {q.study.version}" + (
        f" - {status}" if status else ""
    )
    return Proof(
        q.study.title.get(lang),
        subtitle,
        q.study.note.get(lang) if q.study.note else None,
        tuple(blocks),
    )


def render_proof(q: Questionnaire, lang: str = "nl", mode: str = "paper") -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    ui = _UI.get(lang, _UI["nl"])
    return env.get_template("proof.html.j2").render(
        proof=build_proof(q, lang, mode),
        ui=ui,
        lang=lang,
        id_label=ui["id"],
        show_id=mode == "paper",
    )
