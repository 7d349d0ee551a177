"""Custom tables on request (``wbm table``), one module per step:

- :mod:`.request`  the request spec (YAML, two-pass check, names resolved per wave)
- :mod:`.source`   the data: a finished run's scored frame per wave, its data version, disclosure columns
- :mod:`.compute`  the numbers: estimation-engine domain estimates for every cell of every table
- :mod:`.release`  protection (:mod:`pipeline.sdc.tables`) and the ledger entry per wave
- :mod:`.publish`  the published rows (the CSV/JSON contract) and the workbook's layout and notes
- :mod:`.notes`    the words (labels, definitions, method, legend) in Dutch or English
- :mod:`.standard` the run's standard table, published by the outputs stage through the same path
- :mod:`.api`      :func:`~pipeline.tables.api.make_table`, what the command calls, and
                   :func:`~pipeline.tables.api.publish_request`, the one path that logs and writes a table

The writers (xlsx, CSV, JSON) are :mod:`pipeline.tables.files`.
"""
