"""The API reference page loads nothing from another origin: Scalar is pinned and served by the
app, with a cache header a browser may keep for a year."""

from __future__ import annotations

import re

import httpx

from api.http.docs_page import SCALAR_VERSION
from db.engine import Database

REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']*)["']""")


async def test_the_page_references_only_its_own_assets(
    client: httpx.AsyncClient, db: Database
) -> None:
    page = await client.get("/api/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    references = REFERENCE.findall(page.text)
    assert f"/api/docs/assets/scalar-api-reference-{SCALAR_VERSION}.js" in references
    for url in references:
        assert url.startswith(("/", "data:")), url
        assert not url.startswith("//"), url
    assert "cdn." not in page.text
    assert "withDefaultFonts" in page.text  # no font server either

    for url in (u for u in references if u.startswith("/api/docs/assets/")):
        asset = await client.get(url)
        assert asset.status_code == 200, url
        cache = asset.headers["cache-control"]
        assert "max-age=31536000" in cache
        assert "immutable" in cache
        assert "public" in cache
    script = await client.get(f"/api/docs/assets/scalar-api-reference-{SCALAR_VERSION}.js")
    assert "javascript" in script.headers["content-type"]
    assert len(script.content) > 1_000_000  # the whole bundle, not a loader of one


async def test_an_unknown_asset_is_missing(client: httpx.AsyncClient, db: Database) -> None:
    assert (await client.get("/api/docs/assets/scalar-api-reference-0.0.0.js")).status_code == 404
