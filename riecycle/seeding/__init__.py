"""Loading the data in seed/: taxonomy, content and the demo organisation.

The files are read by riecycle/content.py (re-exported here for older callers).
"""

from riecycle.content import SEED_DIR, load_yaml

__all__ = ["SEED_DIR", "load_yaml"]
