"""Plain helpers for the tests (no fixtures: those live in ``tests/conftest.py``)."""
