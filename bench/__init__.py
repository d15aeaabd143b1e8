"""Benchmarks (run as scripts: `python bench/ack.py`)."""
