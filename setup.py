"""Package list for setuptools: every package under workbook_tools/, plus the form templates and the ribbon sources
(Excel: macros/, WPS: wps/, LibreOffice: lo/).

The templates live in the top-level folder templates/ and are installed as the package
workbook_tools.templates (mapped in pyproject.toml, [tool.setuptools.package-dir]).  The
`packages.find` table of pyproject.toml cannot add a package whose folder is mapped elsewhere,
so the list is made here, with the same discovery (namespace packages included).
"""
from setuptools import find_namespace_packages, setup

PACKAGES = find_namespace_packages(include=["workbook_tools", "workbook_tools.*"], exclude=["*.__pycache__"])

setup(packages=[*PACKAGES, "workbook_tools.templates", "workbook_tools.dist.excel.macros", "workbook_tools.dist.wps.addin",
                "workbook_tools.dist.lo.extension"])
