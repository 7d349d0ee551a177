"""The run-directory contract, with one owner: what a run directory holds and how it is read.

- :mod:`~pipeline.rundata.layout`: the stages, their directories and file names, path helpers;
- :mod:`~pipeline.rundata.columns`: the column names the stages share (``weight``, the meta columns
  of validation, the scored columns, the estimates table's key);
- :mod:`~pipeline.rundata.levels`: the one text form of a domain level (``"3"``, ``"3:1"``);
- :mod:`~pipeline.rundata.calibration`: the calibration model of the weights
  (``02_weight/calibration.json``), written by the weight stage and read by every estimate;
- :mod:`~pipeline.rundata.read`: the readers (manifest, questionnaire, diagnostics, scored data,
  estimates), one function per thing read, each with located errors.

Every name a second module would otherwise spell as a literal is defined here and documented in
``docs/run-contract.md``. Import from the submodules (``from pipeline.rundata.columns import
WEIGHT``); this package re-exports nothing, so each name has one spelling. Importing this package loads neither pandas nor numpy (the readers import
pandas when called), so engines and specs can use the names and the level text.

Coming (other issues build on these seams): verification of stage outputs against the SHA-256 in the
manifest and the run's own hash-checked questionnaire for every command (:mod:`.read`); a canonical
content hash as the data version (today :func:`~pipeline.rundata.read.read_scored` returns the
SHA-256 of the file).
"""
