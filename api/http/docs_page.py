"""The API reference page (/api/docs): Scalar, pinned and served by the app itself, so the page
renders without internet access and does not change under us (api/http/static/README.md)."""

from __future__ import annotations

from pathlib import Path

from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router

SCALAR_VERSION = "1.76.4"
ASSETS_PATH = "/api/docs/assets"
STATIC = Path(__file__).with_name("static")
A_YEAR = 365 * 24 * 3600


def docs_assets() -> Router:
    """Every asset's name carries its version, so a browser may keep it for a year."""
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[STATIC],
        name="docs-assets",
        cache_control=CacheControlHeader(max_age=A_YEAR, public=True, immutable=True),
        include_in_schema=False,
    )


def scalar_page() -> ScalarRenderPlugin:
    return ScalarRenderPlugin(
        js_url=f"{ASSETS_PATH}/scalar-api-reference-{SCALAR_VERSION}.js",
        css_url=f"{ASSETS_PATH}/chibo-docs-1.css",
        favicon="<link rel='icon' href='data:,'>",  # no request for one
        # the system's fonts instead of Scalar's font server; no telemetry, no "Ask AI" (it
        # would send the document to Scalar) and no toolbar selling Scalar's hosting
        options={
            "withDefaultFonts": False,
            "telemetry": False,
            "agent": {"disabled": True},
            "showDeveloperTools": "never",
        },
    )
