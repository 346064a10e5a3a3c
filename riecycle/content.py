"""The content files under seed/ (YAML): one loader, used by the services and by seeding."""

from functools import cache
from pathlib import Path

import yaml

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"


@cache
def load_yaml(name: str) -> dict:
    """Parse one seed file (cached: seed files do not change while running)."""
    with open(SEED_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)
