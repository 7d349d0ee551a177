"""Sectoral measurements: a sector's own sample set beside a matched benchmark from the main WBM
wave (``spec``: the benchmark configuration in ``sectoral/*.yaml``; ``benchmark``: the reweighted
benchmark and the differences tested with both samples' designs)."""
