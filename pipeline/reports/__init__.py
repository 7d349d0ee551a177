"""The three publication outputs: sector reports (HTML), custom tables (Excel + CSV) and microdata (.sav).

Importing this package loads nothing heavy: xlsxwriter, pyreadstat and WeasyPrint are imported only
inside the functions that render or write a file.
"""
