"""Survey processing pipeline for the Flemish Workability Monitor (WBM) and Enterprise Survey (OE).

Importing the package does nothing but define the version: heavy libraries (pandas, pyreadstat,
WeasyPrint, ...) load only in the modules that need them.
"""

__version__ = "0.1.0"
