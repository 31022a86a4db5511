from __future__ import annotations

import warnings

import pytest


@pytest.fixture(autouse=True)
def _no_remote_retrieval():
    # jsonschema warns before fetching a remote $ref: make that an error in these tests
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=DeprecationWarning, module="jsonschema")
        yield
