"""Benchmarks against the emulator: one module per scenario, each printing a table and updating docs/benchmarks.md."""
