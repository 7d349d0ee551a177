"""The synthetic-wave generator (``wbm synth``): the project's embedded default data, for every instrument.

A seeded, reproducible stand-in for a wave of the employees' survey, the self-employed survey, the
Enterprise Survey (telephone) or a sectoral measurement. One model file per instrument and wave
(``pipeline/synth/models/*.yaml``, typed in :mod:`~pipeline.synth.spec`, loaded and chosen for a
questionnaire in :mod:`~pipeline.synth.config`, checked in :mod:`~pipeline.synth.check`): the population
(:mod:`~pipeline.synth.population`), latent traits and scale answers driven by the questionnaire
(:mod:`~pipeline.synth.itemmodel`, :mod:`~pipeline.synth.traits`) calibrated to the published figures
(:mod:`~pipeline.synth.calibrate`), the sample and its response (:mod:`~pipeline.synth.sample`,
telephone dispositions and calls in :mod:`~pipeline.synth.calls`), the other items
(:mod:`~pipeline.synth.items`), the writers per mode (:mod:`~pipeline.synth.paper`,
:mod:`~pipeline.synth.web`, :mod:`~pipeline.synth.cati`) and the true population values
(:mod:`~pipeline.synth.truth`). Entry point: :func:`pipeline.synth.wave.generate_wave`.
"""
