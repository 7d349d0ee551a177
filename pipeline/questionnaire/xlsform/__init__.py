"""XLSForm import and export (``wbm questionnaire import-xlsform`` / ``export-xlsform``).

``workbook`` reads .xls/.xlsx sheets with their row numbers and column letters; ``conditions``
translates XLSForm conditions to the expression language and back; ``reader`` imports a form
(every feature supported, reported as not imported, or refused with a located problem);
``writer`` writes a questionnaire back as an XLSForm. See docs/xlsform.md.
"""

from __future__ import annotations

from pipeline.questionnaire.xlsform.conditions import from_xlsform
from pipeline.questionnaire.xlsform.reader import XlsformImport, import_xlsform, read_xlsform


def translate_condition(text: str) -> str:
    """An XLSForm condition in the expression language (numeric choice names only)."""
    return from_xlsform(text, {})


__all__ = ["XlsformImport", "import_xlsform", "read_xlsform", "translate_condition"]
