"""Package list for setuptools: every package under workbook_tools/, plus the form templates and the ribbon sources
(Excel: macros/, WPS: wps/, LibreOffice: lo/).

The templates live in the top-level folder templates/ and are installed as the package
workbook_tools.templates (mapped in pyproject.toml, [tool.setuptools.package-dir]).  The
`packages.find` table of pyproject.toml cannot add a package whose folder is mapped elsewhere,
so the list is made here, with the same discovery (namespace packages included).
"""
from setuptools import find_namespace_packages, setup

PACKAGES = find_namespace_packages(include=["workbook_tools", "workbook_tools.*"], exclude=["*.__pycache__"])
# mapped package -> its top-level folder; the folders inside (js/, css/, images/, pythonpath/…) are listed too, or
# setuptools warns at every install that Python could import them but the configuration leaves them out
MAPPED = {"workbook_tools.templates": "templates", "workbook_tools.dist.excel.macros": "macros",
          "workbook_tools.dist.wps.addin": "wps", "workbook_tools.dist.lo.extension": "lo"}
INSIDE = [f"{name}.{sub}" for name, folder in MAPPED.items()
          for sub in find_namespace_packages(where=folder, exclude=["*.__pycache__", "__pycache__"])
          if all(part.isidentifier() for part in sub.split("."))]     # META-INF is data only: no import name

setup(packages=[*PACKAGES, *MAPPED, *INSIDE])
