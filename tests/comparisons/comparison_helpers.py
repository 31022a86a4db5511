"""Helpers shared by the comparison-engine tests."""

from __future__ import annotations

import os
from pathlib import Path


def shared_dir() -> Path:
    env = os.environ.get("REGISTRY_SHARED_DIR")
    if env:
        return Path(env)
    # the `shared` folder beside the checkout root
    return Path(__file__).resolve().parents[2] / ".." / "shared"
