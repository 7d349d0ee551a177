"""A small two-wave archive (2019, 2023; synthetic, a tenth of the sample sizes), a publisher, and
the datatool's release over three indicators (every breakdown and filter), built once."""

from __future__ import annotations

import pytest

INDICATORS = ("werkstress", "werkbaar_werk", "aantal_problemen")


@pytest.fixture(scope="session")
def dt_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    from pipeline.archive.api import open_archive
    from pipeline.datatool.precompute import build_release
    from pipeline.datatool.store import Store, write_release
    from pipeline.history import build_history
    from pipeline.sdc.publisher import init_publisher, publisher

    root = tmp_path_factory.mktemp("datatool")
    h = build_history(root, years=(2019, 2023), scale=0.1)
    policy = init_publisher(root / "publisher")
    pub = publisher(policy)
    archive = open_archive(h.archive)
    rel = build_release(archive, pub, indicators=INDICATORS, logged_at="2026-01-01T00:00:00Z")
    out = write_release(rel, root / "release")
    return {
        "root": root,
        "archive": h.archive,
        "policy": policy,
        "publisher": pub,
        "release": rel,
        "file": out,
        "store": Store.from_release(rel),
    }


@pytest.fixture(scope="session")
def client(dt_env: dict[str, object]):
    from starlette.testclient import TestClient

    from pipeline.datatool.app import create_app

    with TestClient(create_app(dt_env["store"]), raise_server_exceptions=False) as c:  # type: ignore[arg-type]
        yield c
