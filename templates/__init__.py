"""Jinja2 templates and print CSS of the annex forms (installed as the package `workbook_tools.templates`)."""
