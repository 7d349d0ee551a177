"""AAPOR final dispositions and response rates RR1-RR4 (AAPOR *Standard Definitions*).

A sampled unit ends in one final disposition (telephone survey codes):

==== ======= =====================================================
key  code    meaning
==== ======= =====================================================
I    1.1     complete interview
P    1.2     partial interview
R    2.10    refusal and break-off
NC   2.20    non-contact (eligible, never spoken to)
O    2.30    other (eligible, e.g. language, illness)
UH   3.10    unknown eligibility, no contact (never reached)
NE   4.10    not eligible (closed, no employees, out of scope)
==== ======= =====================================================

Rates (``e`` = the share eligible among units whose eligibility is known, AAPOR's proportional
estimate (I + P + R + NC + O) / (I + P + R + NC + O + NE)):

* RR1 = I / ((I + P) + (R + NC + O) + (UH + UO))
* RR2 = (I + P) / ((I + P) + (R + NC + O) + (UH + UO))
* RR3 = I / ((I + P) + (R + NC + O) + e (UH + UO))
* RR4 = (I + P) / ((I + P) + (R + NC + O) + e (UH + UO))

Spec (codes) apart from engine (:func:`rates`, counts in, frozen result out); no pandas here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pipeline.errors import InputError, Problem

#: key -> AAPOR code, in the order of the table above
CODES: Mapping[str, str] = {
    "I": "1.1",
    "P": "1.2",
    "R": "2.10",
    "NC": "2.20",
    "O": "2.30",
    "UH": "3.10",
    "NE": "4.10",
}
KEY_OF_CODE: Mapping[str, str] = {v: k for k, v in CODES.items()}
LABELS_NL: Mapping[str, str] = {
    "I": "volledig interview",
    "P": "gedeeltelijk interview",
    "R": "weigering of afgebroken",
    "NC": "geen contact",
    "O": "andere reden",
    "UH": "geschiktheid onbekend",
    "NE": "niet tot de doelgroep",
}


@dataclass(frozen=True)
class Rates:
    counts: tuple[tuple[str, int], ...]  # (key, count) in CODES order
    e: float
    rr1: float
    rr2: float
    rr3: float
    rr4: float

    def count(self, key: str) -> int:
        return dict(self.counts)[key]

    @property
    def sampled(self) -> int:
        return sum(c for _k, c in self.counts)


def _div(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


def rates(counts: Mapping[str, int]) -> Rates:
    """RR1-RR4 from counts per disposition key (missing keys count 0)."""
    unknown = sorted(set(counts) - set(CODES))
    if unknown:
        raise InputError(
            "unknown AAPOR disposition(s)",
            [Problem("not a disposition key", value=unknown, expected=", ".join(CODES))],
            code="bad_disposition",
        )
    c = {k: int(counts.get(k, 0)) for k in CODES}
    i, p = c["I"], c["P"]
    nonint = c["R"] + c["NC"] + c["O"]
    unk = c["UH"]
    e = _div(i + p + nonint, i + p + nonint + c["NE"])
    eu = (e if e == e else 1.0) * unk
    return Rates(
        counts=tuple(c.items()),
        e=e,
        rr1=_div(i, i + p + nonint + unk),
        rr2=_div(i + p, i + p + nonint + unk),
        rr3=_div(i, i + p + nonint + eu),
        rr4=_div(i + p, i + p + nonint + eu),
    )


def keys_of(codes: Iterable[str], *, file: str | None = None) -> list[str]:
    """Disposition keys of AAPOR codes as written in a file (``1.1``, ``2.10``, ...)."""
    out, bad = [], []
    for row, code in enumerate(codes, start=1):
        key = KEY_OF_CODE.get(str(code).strip())
        if key is None:
            bad.append((row, code))
        else:
            out.append(key)
    if bad:
        raise InputError(
            f"{len(bad)} unknown disposition code(s)",
            [
                Problem(
                    "not an AAPOR final disposition code",
                    file=file,
                    row=r,
                    column="disposition",
                    value=v,
                    expected=", ".join(CODES.values()),
                )
                for r, v in bad[:5]
            ],
            code="bad_disposition",
        )
    return out
