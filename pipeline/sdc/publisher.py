"""The publisher: its policy, its registry of requesters and where its history is kept.

Every publication path (``wbm table``, the standard table and reports of the outputs stage, ``wbm
report``, ``wbm release``, later the datatool) takes one :class:`Publisher`: the thresholds come from
its policy, the identities from its registry, and the history from its ledger(s), found by the data
version of the data (:mod:`pipeline.dataversion`), never by the run directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.sdc.policy import LoadedPolicy, find_policy
from pipeline.sdc.registry import LoadedRegistry, load_registry
from pipeline.sdc.tables.ledger import Ledger


@dataclass(frozen=True)
class Publisher:
    """``extra_ledgers``: more ledger directories (``--ledger DIR``), logged in and read as well."""

    policy: LoadedPolicy
    registry: LoadedRegistry
    extra_ledgers: tuple[Path, ...] = ()

    @property
    def ledgers(self) -> tuple[Ledger, ...]:
        dirs = [self.policy.ledger_dir, *(p.resolve() for p in self.extra_ledgers)]
        return tuple(Ledger(p) for p in dict.fromkeys(dirs))

    @property
    def register_dir(self) -> Path:
        return self.policy.register_dir


def init_publisher(directory: str | Path) -> Path:
    """A publisher directory with the shipped reference policy and registry (files already there are
    kept: a publisher's history is never reset); returns its policy file."""

    from pipeline.fileio import ensure_dir, write_bytes
    from pipeline.paths import PUBLISHER_DIR

    d = ensure_dir(directory)
    for name in ("policy.yaml", "requesters.yaml"):
        if not (d / name).exists():
            write_bytes(d / name, (PUBLISHER_DIR / name).read_bytes())
    return d / "policy.yaml"


def publisher(
    policy: str | Path | LoadedPolicy | None = None,
    *,
    recorded: str | Path | None = None,
    extra_ledgers: tuple[str | Path, ...] = (),
) -> Publisher:
    """The publisher of ``policy`` (a file, or :func:`~pipeline.sdc.policy.find_policy`'s choice:
    ``$WBM_POLICY``, then ``recorded``) with the registry the policy names."""
    pol = policy if isinstance(policy, LoadedPolicy) else find_policy(policy, recorded)
    return Publisher(
        pol, load_registry(pol.registry_file), tuple(Path(p) for p in extra_ledgers if p)
    )
