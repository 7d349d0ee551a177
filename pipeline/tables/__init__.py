"""Custom tables on request (issue 8): the request spec (:mod:`.request`). The disclosure engine is
:mod:`pipeline.disclosure`; the writers are in :mod:`pipeline.outputs`."""
