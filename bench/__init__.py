"""Benchmarks: run as modules (``python -m bench.<name>``), never collected by pytest."""
