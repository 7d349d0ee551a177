"""Fieldwork of a wave: dispositions and response rates (AAPOR), response by mode and frame
group, representativeness (R-indicators), mode effects (selection vs measurement) and the
paradata of each mode.

Engines only (numpy in, typed frozen results out); the run-directory edge is
:mod:`pipeline.fieldwork.run` and the command ``wbm fieldwork``.
"""
