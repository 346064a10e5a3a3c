"""Excel (openpyxl): the evidence workbook, list exports, import templates and the import.

Everything written here goes through writer.SheetWriter (write-only mode, styled header,
formula-injection safe text); everything read goes through importer.read_workbook
(read-only mode, refuses macros, encrypted and corrupt files).
"""
