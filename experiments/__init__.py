"""The experiments: one module per experiment, each with a `Config` dataclass and `run()`.

Run one with ``python -m experiments NAME key=value ...`` (``make experiment``); list
them with ``python -m experiments --list`` (``make experiments``).
"""
