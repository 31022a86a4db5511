"""Helpers of the meeting tests: a valid meeting body, and writing one through the API."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conftest import auth

MEETINGS = "/api/v1/meetings"


def body(**changes: Any) -> dict[str, Any]:
    """A valid meeting in Berlin, in the past (so it can be held), linked to the mini corpus."""
    base = {
        "title": "EU–China dialogue on consumer protection",
        "type": "government-enterprise-dialogue",
        "start": "2025-06-12T10:00", "end": "2025-06-12T12:30", "timezone": "Europe/Berlin",
        "place": "Bundesministerium, Berlin", "host": "Federal Ministry for Economic Affairs",
        "description": "Withdrawal periods and refunds for cross-border sales.",
        "jurisdictions": ["EU", "CN"], "topics": ["consumer-protection"],
        "documents": ["EU/consumer-protection@1"],
        "participants": [
            {"name": "European Commission", "kind": "organisation", "jurisdiction": "EU", "role": "government"},
            {"name": "Chen Wei", "kind": "person", "organisation": "Alibaba", "jurisdiction": "CN",
             "role": "enterprise", "email": "chen.wei@example.com", "attended": True},
        ],
        "agenda": [{"title": "Withdrawal periods", "presenter": "DG JUST", "duration_minutes": 45,
                    "documents": ["CN/consumer-protection"]}],
        "sources": [{"url": "https://example.org/press/2025-06-12", "title": "Press release"}],
    }
    result = copy.deepcopy(base)
    result.update(changes)
    return result


@pytest.fixture
def secretariat(make_token) -> dict[str, str]:
    return auth(make_token("secretariat"))


@pytest.fixture
def admin(make_token) -> dict[str, str]:
    return auth(make_token("admin"))


def create(client, headers: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = client.post(MEETINGS, json=body(**changes), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()
