"""The employees' module indicators that are shares (``group: module``, ``kind: condition``; the
numeric ``mod_woonwerk_minuten`` is not among them), named once for every test that lists them
(reports, scoring, synthetic model). ``tests/questionnaire/test_extra_modules.py`` checks that they
are the questionnaire's module indicators, in schema order."""

from __future__ import annotations

#: Modules since before issue 19: telework, absence, training, working until retirement.
EARLIER_MODULES: tuple[str, ...] = (
    "mod_telewerk",
    "mod_frequent_verzuim",
    "mod_lang_verzuim",
    "mod_opleiding",
    "mod_haalbaar_pensioen",
)
#: The modules of the 2019 sector reports (issue 19): job insecurity, turnover intention, atypical
#: hours, commuting time, boundary-crossing behaviour.
NEW_MODULES: tuple[str, ...] = (
    "mod_baanonzekerheid",
    "mod_verloopintentie",
    "mod_ploegenarbeid",
    "mod_avondwerk",
    "mod_nachtwerk",
    "mod_weekendwerk",
    "mod_atypische_uren",
    "mod_woonwerk_30",
    "mod_woonwerk_60",
    "mod_pesten",
    "mod_geweld",
    "mod_ongewenst_seksueel",
    "mod_grensoverschrijdend",
)
#: Every module indicator of the 2023 employees' questionnaire, in schema order.
MODULES: tuple[str, ...] = EARLIER_MODULES + NEW_MODULES
