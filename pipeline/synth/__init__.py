"""The synthetic-wave generator (``wbm synth``): the project's embedded default data.

A seeded, reproducible stand-in for a Workability Monitor wave: a synthetic population of employees
(:mod:`~pipeline.synth.population`), latent traits and item answers driven by the questionnaire
schema (:mod:`~pipeline.synth.itemmodel`, :mod:`~pipeline.synth.traits`), calibrated so the population
hits the published headline figures (:mod:`~pipeline.synth.calibrate`), a mixed-mode sample with
nonresponse (:mod:`~pipeline.synth.sample`), keyed paper forms with errors (:mod:`~pipeline.synth.paper`),
a web export (:mod:`~pipeline.synth.web`) and the true population values (:mod:`~pipeline.synth.truth`).
The population model and every assumption live in ``pipeline/synth/model.yaml``.
Entry point: :func:`pipeline.synth.wave.generate_wave`.
"""
