"""Statistical disclosure control for the microdata release (issue 9).

Modules (each owns one thing; importing this package loads nothing):

- :mod:`~pipeline.sdc.profile`: release profiles (``releases/*.yaml``), the frozen spec.
- :mod:`~pipeline.sdc.plan`: which columns are kept or dropped and why; key variables; profile checks.
- :mod:`~pipeline.sdc.recode`: global recoding (the questionnaire's release recodes, merging of small
  categories), every change counted.
- :mod:`~pipeline.sdc.risk`: frequencies with wildcards, k-anonymity, individual and global risk.
- :mod:`~pipeline.sdc.suppress`: local suppression to k-anonymity with few cells.
- :mod:`~pipeline.sdc.pram`: PRAM with an invariant transition matrix.
- :mod:`~pipeline.sdc.linkage`: weight linkage (can a protected value be read back from the weight?).
- :mod:`~pipeline.sdc.weights`: the release weights (kept, or recalibrated on the released values).
- :mod:`~pipeline.sdc.report`: the risk report and information loss (frozen, JSON, HTML fragment).
- :mod:`~pipeline.sdc.api`: :func:`~pipeline.sdc.api.anonymise`, the entry point of ``wbm release``.
"""
