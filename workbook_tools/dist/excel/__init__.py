"""The Excel ribbon add-in: build (addin.py) and install into XLSTART (install.py)."""
