"""Benchmarks of a large unit (not part of the test suite): `python benchmarks/run.py`."""
