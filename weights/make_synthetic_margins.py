"""Regenerate the SYNTHETIC margins files shipped in weights/ (deterministic; no randomness).

    python weights/make_synthetic_margins.py

The figures are invented but of a plausible order of magnitude for Flanders. They stand in until real
register totals (RSVZ for the self-employed, RSZ/Statbel for organisations and jobs) are dropped in
with the same variables and levels. The employee margins (werknemers-2023.synthetic.csv) are written
by the synthetic wave generator, not by this script.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.weighting.margins import Margin, Margins, MarginsMeta, dump_margins

HERE = Path(__file__).resolve().parent
AGE = ("jonger dan 30", "30-39", "40-49", "50-54", "55 en ouder")


def _split(total: int, shares: list[float]) -> list[int]:
    """Integer totals with the exact sum ``total`` (largest remainder)."""
    raw = [total * s / sum(shares) for s in shares]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[
        : total - sum(out)
    ]:
        out[i] += 1
    return out


def _margin(var: str, totals: list[int], labels: tuple[str, ...]) -> Margin:
    return Margin(
        (var,),
        tuple((str(i + 1),) for i in range(len(totals))),
        tuple(float(t) for t in totals),
        labels,
    )


def self_employed() -> Margins:
    n = 452_000
    occ = (
        "landbouw",
        "bouw",
        "handel",
        "vrije beroepen",
        "horeca",
        "productie en transport",
        "overige diensten",
    )
    return Margins(
        margins=(
            _margin("sex", _split(n, [0.66, 0.34]), ("man", "vrouw")),
            _margin("age_band", _split(n, [0.08, 0.22, 0.27, 0.14, 0.29]), AGE),
            _margin("occupation_group", _split(n, [0.07, 0.14, 0.20, 0.27, 0.06, 0.08, 0.18]), occ),
        ),
        meta=MarginsMeta(
            name="zelfstandigen-2023",
            title="Zelfstandige ondernemers in hoofdberoep, Vlaams Gewest",
            synthetic=True,
            source="SYNTHETIC (invented for development; replace by RSVZ register totals)",
            reference_date="2023-01-01",
            population="self-employed in main occupation living in the Flemish Region",
            unit="persons",
            notes="SYNTHETIC: plausible orders of magnitude only, not real figures.",
        ),
    )


SECTOR_GROUPS = ("industrie (incl. primair)", "bouw", "diensten", "quartair")
SIZE_CLASSES = ("1-9", "10-49", "50-199", "200+")
# organisations per sector group x size class, and mean jobs per organisation in each size class
ORGS = (
    (14_000, 3_800, 900, 260),
    (19_000, 2_300, 260, 40),
    (78_000, 9_500, 1_500, 380),
    (11_000, 4_200, 1_300, 700),
)
MEAN_JOBS = (3.2, 21.0, 95.0, 640.0)


def _joint(counts: list[list[int]]) -> Margin:
    levels, totals, labels = [], [], []
    for g, row in enumerate(counts):
        for s, t in enumerate(row):
            levels.append((str(g + 1), str(s + 1)))
            totals.append(float(t))
            labels.append(f"{SECTOR_GROUPS[g]} / {SIZE_CLASSES[s]}")
    return Margin(("sector_group", "size_class"), tuple(levels), tuple(totals), tuple(labels))


def _oe_meta(kind: str, unit: str, what: str) -> MarginsMeta:
    return MarginsMeta(
        name=f"oe-2024-{kind}",
        title=f"Ondernemingsenquete: {what} per sectorgroep x grootteklasse",
        synthetic=True,
        source="SYNTHETIC (invented for development; replace by RSZ/Statbel totals)",
        reference_date="2023-12-31",
        population="organisations with at least one employee in the Flemish Region and "
        "Dutch-speaking Brussels",
        unit=unit,
        notes="SYNTHETIC: plausible orders of magnitude only. Strata of the sample design: sector "
        "group (1 industrie incl. primair, 2 bouw, 3 diensten, 4 quartair) x size class "
        "(1: 1-9, 2: 10-49, 3: 50-199, 4: 200+ employees).",
    )


def enterprise() -> tuple[Margins, Margins]:
    orgs = [list(r) for r in ORGS]
    jobs = [[round(c * MEAN_JOBS[s]) for s, c in enumerate(r)] for r in ORGS]
    return (
        Margins((_joint(orgs),), _oe_meta("organisaties", "organisations", "organisaties")),
        Margins((_joint(jobs),), _oe_meta("werkgelegenheid", "jobs", "werkgelegenheid (banen)")),
    )


def main() -> None:
    dump_margins(self_employed(), HERE / "zelfstandigen-2023.synthetic.csv")
    orgs, jobs = enterprise()
    dump_margins(orgs, HERE / "oe-2024-organisaties.synthetic.csv")
    dump_margins(jobs, HERE / "oe-2024-werkgelegenheid.synthetic.csv")


if __name__ == "__main__":
    main()
