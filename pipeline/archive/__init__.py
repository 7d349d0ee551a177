"""The wave archive: every finished run of every instrument in one folder, for trends.

``wbm archive add RUN`` copies a run's scored data, estimates, weighting diagnostics, manifest and
questionnaire into ``ARCHIVE/waves/<study id>/`` byte for byte (with their SHA-256), records the
wave's design and calibration model, and rebuilds the *harmonised views* of its series
(``ARCHIVE/views/<series>/``: every wave's respondents and estimates under the names of the series'
latest questionnaire, with the comparability breaks). Layout: :mod:`pipeline.archive.layout`;
records: :mod:`pipeline.archive.records`; adding, checking and exporting: :mod:`pipeline.archive.store`;
harmonisation: :mod:`pipeline.archive.harmonise`; the views: :mod:`pipeline.archive.views`; the read
API for reports, tables and the datatool: :mod:`pipeline.archive.api`. Documented for researchers in
``docs/archive.md``.

Importing this package loads nothing heavy.
"""
