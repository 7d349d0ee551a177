"""Fieldwork outcomes of a wave: dispositions of the sampled units and response rates (AAPOR)."""
