"""The datatool: an interactive web page over the monitor's figures that is safe to put online.

``space`` (what views exist: populations, indicators, breakdowns, filters, waves; the query parsed and
checked), ``precompute`` (every view of that space computed once with the estimation engine and
protected as one public release per data version through the disclosure engine, logged),
``store`` (the published cells, the only thing the server holds), ``render`` (SVG charts, CSV and
xlsx downloads), ``app`` (the Starlette application). See ``docs/datatool.md``.
"""
