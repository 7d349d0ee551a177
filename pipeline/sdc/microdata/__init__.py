"""Statistical disclosure control for the microdata release (issue 9).

Modules (each owns one thing; importing this package loads nothing):

- :mod:`~pipeline.sdc.microdata.profile`: release profiles (``releases/*.yaml``), the frozen spec.
- :mod:`~pipeline.sdc.microdata.plan`: which columns are kept or dropped and why; key variables; profile checks.
- :mod:`~pipeline.sdc.microdata.recode`: global recoding (the questionnaire's release recodes, merging of small
  categories), every change counted.
- :mod:`~pipeline.sdc.microdata.risk`: frequencies with wildcards, k-anonymity, individual and global risk.
- :mod:`~pipeline.sdc.microdata.suppress`: local suppression to k-anonymity with few cells.
- :mod:`~pipeline.sdc.microdata.pram`: PRAM with an invariant transition matrix.
- :mod:`~pipeline.sdc.microdata.linkage`: weight linkage (can a protected value be read back from the weight?).
- :mod:`~pipeline.sdc.microdata.weights`: the release weights (kept, or recalibrated on the released values).
- :mod:`~pipeline.sdc.microdata.report`: the risk report and information loss (frozen, JSON, HTML fragment).
- :mod:`~pipeline.sdc.microdata.api`: :func:`~pipeline.sdc.microdata.api.anonymise`, the entry point of ``wbm release``.
"""
