"""Typst templates of the annex forms (annexNN.typ, the shared base.typ, slip.typ and overlay.typ), compiled to PDF
by workbook_tools.forms; installed as the package `workbook_tools.templates`."""
