"""Statistical disclosure control, in two engines that share no code path but one purpose:

- :mod:`pipeline.sdc.tables`: disclosure control of published tables (custom tables, reports, the
  standard table): primary and secondary suppression, exact audit, differencing against the ledger.
- :mod:`pipeline.sdc.microdata`: disclosure control of microdata releases: recoding, k-anonymity and
  individual risk, local suppression, PRAM, release weights, risk report.

Importing this package loads nothing.
"""
