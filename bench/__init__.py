"""The benchmark: a deterministic data generator (generate.py) and the measurements (__main__.py)."""
