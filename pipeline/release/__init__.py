"""The microdata release for other research institutes (issue 9): a finished run and a release
profile in, a directory of files out (``wbm release``; the outputs stage writes the scientific-use
release). Importing this package loads nothing.

- :mod:`~pipeline.release.build`: the release directory from a run (orchestration, seeds, out dir).
- :mod:`~pipeline.release.table`: the released table and what every variable is (all writers use it).
- :mod:`~pipeline.release.frequencies`: unweighted and weighted frequencies (codebook, PSPP check).
- :mod:`~pipeline.release.stata`: the Stata ``.dta`` (extended missing values); the ``.sav`` is
  :mod:`pipeline.release.sav`.
- :mod:`~pipeline.release.tabular`: CSV and the Frictionless ``datapackage.json``.
- :mod:`~pipeline.release.codebook`: the codebook (HTML, PDF).
- :mod:`~pipeline.release.readme`: the README (conditions of use, citation, weights, residual risk).
- :mod:`~pipeline.release.checksums`: ``manifest.json`` with the SHA-256 of every file, and its check.

Disclosure control itself is :mod:`pipeline.sdc.microdata`.
"""
