"""Disclosure control for custom tables (the engine behind ``wbm table``).

Modules, each owning one thing (all pure Python + numpy/scipy; no pandas):

- :mod:`.rules`      primary suppression rules (minimum n, (n,k) dominance, p%) -> per-cell status codes
- :mod:`.structure`  a table's cells and its additive relations (2-D, 3-D, hierarchical margins)
- :mod:`.audit`      exact protection audit: the feasible interval of every suppressed cell (LP)
- :mod:`.secondary`  secondary (complementary) suppression, iterated until the audit passes
- :mod:`.cells`      cells as sets of respondents (conjunctions of ``variable in levels``)
- :mod:`.history`    differencing checks of a new table against earlier releases (respondent level)
- :mod:`.groups`     exhaustive search (MILP) for any small group the published cells determine
- :mod:`.ledger`     the per-requester log of released tables (JSON lines, atomic, deterministic)
- :mod:`.protect`    the orchestration: primary -> secondary -> history -> further suppression
- :mod:`.space`      joint protection of a space of tables (the datatool's space, the reports' figures)

Importing the package imports nothing heavy; scipy loads only when an audit runs.
"""
