"""The OpenAPI pages (/schema/swagger, /schema/redoc): litestar's render plugins, pointed at pinned copies of Swagger
UI and ReDoc shipped in registry/web/static/api-docs (their licences beside them) instead of public CDNs, which
served them without Subresource Integrity and ReDoc unpinned. Google Fonts are off; the favicon is ours."""

from __future__ import annotations

from litestar.openapi.plugins import OpenAPIRenderPlugin, RedocRenderPlugin, SwaggerRenderPlugin

SWAGGER_UI = "swagger-ui-5.35.0"
REDOC = "redoc-2.5.4"
ASSETS = "/static/api-docs"
_FAVICON = "<link rel='icon' type='image/svg+xml' href='/static/favicon.svg'>"


def render_plugins() -> list[OpenAPIRenderPlugin]:
    swagger = f"{ASSETS}/{SWAGGER_UI}"
    return [
        SwaggerRenderPlugin(js_url=f"{swagger}/swagger-ui-bundle.js", css_url=f"{swagger}/swagger-ui.css",
                            standalone_preset_js_url=f"{swagger}/swagger-ui-standalone-preset.js", favicon=_FAVICON),
        RedocRenderPlugin(js_url=f"{ASSETS}/{REDOC}/redoc.standalone.js", google_fonts=False, favicon=_FAVICON),
    ]


__all__ = ["ASSETS", "REDOC", "SWAGGER_UI", "render_plugins"]
