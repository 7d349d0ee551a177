"""``wbm datatool``: build the datatool's public release from a wave archive and serve it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.datatool.store import Store


@dataclass(frozen=True)
class Subset:
    """A subset of the space (empty: all of it): waves, indicators, breakdowns."""

    waves: tuple[int, ...] = ()
    indicators: tuple[str, ...] = ()
    breakdowns: tuple[str, ...] = ()


@click.group("datatool")
def datatool() -> None:
    """The datatool: an interactive web page over the archive's figures, safe to put online."""


def _build(
    archive: Path,
    policy: Path | None,
    out: Path | None,
    series: tuple[str, ...],
    subset: Subset | None = None,
) -> Store:
    from pipeline.archive.api import open_archive
    from pipeline.datatool.precompute import build_release
    from pipeline.datatool.store import write_release
    from pipeline.sdc.publisher import publisher

    a = open_archive(archive)
    pub = publisher(policy, recorded=_recorded_policy(archive))
    sub = subset or Subset()
    rel = build_release(
        a,
        pub,
        series=series or None,
        waves=sub.waves or None,
        indicators=sub.indicators or None,
        breakdowns=sub.breakdowns or None,
        progress=lambda s: click.echo(f"[wbm] {s} ...", err=True),
    )
    for name, outcomes in rel.outcomes.items():
        for o in outcomes:
            click.echo(
                f"{name} {o.wave}: {o.tables} tables, {o.cells} cells, {o.suppressed} suppressed, "
                f"{o.decision}, logged as {o.release_id} ({o.seconds:.1f} s)",
                err=True,
            )
    if out is not None:
        path = write_release(rel, out)
        click.echo(f"datatool release: {path}", err=True)
    from pipeline.datatool.store import Store

    return Store.from_release(rel)


def _recorded_policy(archive: Path) -> str | None:
    """The demo's publisher beside the archive (OUT/publisher/policy.yaml), if there is one."""
    p = archive.parent / "publisher" / "policy.yaml"
    return str(p) if p.is_file() else None


ARCHIVE = click.option(
    "--archive",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="WBM_ARCHIVE",
    default=Path("archive"),
    show_default=True,
    help="The wave archive (default $WBM_ARCHIVE, else ./archive).",
)
POLICY = click.option(
    "--policy",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The publisher's disclosure policy (default $WBM_POLICY, else the demo's beside the archive).",
)


@datatool.command("build")
@ARCHIVE
@POLICY
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder for the release file (datatool.json).",
)
@click.option("--series", multiple=True, help="Only these series (default: all).")
@click.option("--wave", "waves", type=int, multiple=True, help="Only these waves (default: all).")
@click.option(
    "--indicator", "indicators", multiple=True, help="Only these indicators (default: all)."
)
@click.option(
    "--breakdown",
    "breakdowns",
    multiple=True,
    help="Only these breakdowns (default: all; the filters' variable, e.g. the sector, is always in).",
)
def build(
    archive: Path,
    policy: Path | None,
    out: Path,
    series: tuple[str, ...],
    waves: tuple[int, ...],
    indicators: tuple[str, ...],
    breakdowns: tuple[str, ...],
) -> None:
    """Compute and protect every view once (one public release per data version, logged)."""
    from pipeline.outpath import require_dir

    require_dir(out)
    _build(archive, policy, out, series, Subset(waves, indicators, breakdowns))


@datatool.command("serve")
@ARCHIVE
@POLICY
@click.option(
    "--release",
    "release",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="A folder made by 'wbm datatool build' (else the release is built at start-up).",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0: every interface).",
)
def serve(archive: Path, policy: Path | None, release: Path | None, port: int, host: str) -> None:
    """Serve the datatool (Starlette under uvicorn) until interrupted."""
    import uvicorn

    from pipeline.datatool.app import create_app
    from pipeline.datatool.store import FILE, read_release

    if release is not None and (release / FILE).is_file():
        store = read_release(release)
    else:
        store = _build(archive, policy, release, ())
    app = create_app(store)
    click.echo(f"datatool: http://{host}:{port}/  (Ctrl+C stops it)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
