"""Swagger UI and ReDoc render in a real browser from the package's own assets: no request leaves the registry's
origin, no console error (the pages' Content-Security-Policy included)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path, rendered", [("/schema/swagger", ".swagger-ui .information-container"),
                                            ("/schema/redoc", "#redoc-container h1")])
def test_the_api_docs_render_from_this_origin_only(web, site, path, rendered):
    elsewhere: list[str] = []
    web.page.on("request", lambda r: not r.url.startswith((site["base"], "data:", "blob:")) and elsewhere.append(r.url))
    web.visit(path)
    web.page.wait_for_selector(rendered, timeout=20_000)
    assert "Regulatory Connectivity Registry" in web.page.inner_text(rendered)
    web.page.wait_for_timeout(500)
    web.check()
    assert elsewhere == []
