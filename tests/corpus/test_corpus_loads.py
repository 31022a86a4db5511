"""The registry's own loader accepts the shipped standards folder, all or nothing."""

from __future__ import annotations

from tests.conftest import load_folder
from tests.corpus.support import STANDARDS


def test_registry_load_accepts_the_shipped_corpus(engine):
    load_folder(engine, STANDARDS)
