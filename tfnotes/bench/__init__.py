"""Benchmark helpers for `experiments/cell_benchmark.py`: FLOP counts, timing, peers."""
