"""Code of the Calc extension that runs in LibreOffice's own Python (docs/libreoffice.md)."""
