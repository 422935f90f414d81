"""workbook_tools — 软件正版化台账工具 (software-licensing ledger kept in Excel)."""
__version__ = "0.1.0"
