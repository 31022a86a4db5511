"""Swagger UI and ReDoc load from the package, pinned, with their licences: the pages name no other origin, the
assets are served, and the shipped files are the ones the README's checksums name."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from registry.web.api_docs import REDOC, SWAGGER_UI
from registry.web.layout import STATIC

ASSETS = STATIC / "api-docs"
_URL = re.compile(r"""(?:src|href)\s*=\s*['"]([^'"]+)['"]|url\(\s*['"]?([^'")]+)""")


def _references(html: str) -> list[str]:
    return [a or b for a, b in _URL.findall(html)]


def test_the_pages_reference_no_other_origin_and_their_assets_are_served(client):
    for page in ("/schema/swagger", "/schema/redoc"):
        response = client.get(page)
        assert response.status_code == 200
        references = _references(response.text)
        assert references, page
        assert "fonts.googleapis" not in response.text and "cdn." not in response.text, page
        for url in references:
            assert url.startswith("/") and not url.startswith("//"), (page, url)
            assert client.get(url).status_code == 200, (page, url)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "connect-src 'self'" in csp and "https:" not in csp


def test_each_asset_folder_is_pinned_and_carries_its_licence():
    assert re.fullmatch(r"swagger-ui-\d+\.\d+\.\d+", SWAGGER_UI) and re.fullmatch(r"redoc-\d+\.\d+\.\d+", REDOC)
    for folder in (SWAGGER_UI, REDOC):
        assert (ASSETS / folder / "LICENSE").is_file(), folder
    assert (ASSETS / SWAGGER_UI / "NOTICE").is_file()


def test_the_shipped_files_match_the_recorded_checksums():
    recorded = dict(reversed(line.split("  ", 1)) for line in
                    re.findall(r"^[0-9a-f]{64}  \S+$", (ASSETS / "README.md").read_text(), re.M))
    shipped = {str(p.relative_to(ASSETS)) for p in ASSETS.rglob("*") if p.is_file() and p.name != "README.md"}
    assert set(recorded) == shipped
    for name, digest in recorded.items():
        assert hashlib.sha256((ASSETS / name).read_bytes()).hexdigest() == digest, name
