"""Pages as a person sees them, in a real browser (Debian's Chromium, driven by Playwright).

The query UI must work with no internet: every request the page makes stays on 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

import chromium
from smartcity_graph.web.examples import EXAMPLES

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not chromium.installed(),
        reason=chromium.MISSING,
    ),
]
ROOT = Path(__file__).resolve().parent.parent


def open_page(browser: object, url: str) -> tuple[object, list[str], list[str]]:
    """A page at *url* with every request URL and every console error recorded."""
    page = browser.new_page()  # type: ignore[attr-defined]
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url, wait_until="networkidle")
    return page, requests, errors


def only_loopback(requests: list[str]) -> list[str]:
    return [
        url
        for url in requests
        if urlparse(url).scheme in ("http", "https") and urlparse(url).hostname != "127.0.0.1"
    ]


def test_the_query_ui_runs_an_example_offline(browser: object, release_server: str) -> None:
    page, requests, errors = open_page(browser, release_server + "/sparql")
    examples = EXAMPLES
    tabs = page.locator(".tabPanel, [role=tab]")  # type: ignore[attr-defined]
    page.wait_for_selector(".yasqe .CodeMirror")  # type: ignore[attr-defined]
    names = page.locator("[role=tab]").all_inner_texts()  # type: ignore[attr-defined]
    for example in examples:
        assert any(example["name"] in name for name in names), names
    assert tabs.count() >= 1
    page.click(".yasqe_queryButton")  # type: ignore[attr-defined]
    page.wait_for_selector(".yasr table tbody tr", timeout=20_000)  # type: ignore[attr-defined]
    rows = page.locator(".yasr table tbody tr").count()  # type: ignore[attr-defined]
    assert rows == 36
    assert only_loopback(requests) == []
    assert any(url.endswith("/sparql") for url in requests[1:])
    assert errors == []
    page.screenshot(path=str(ROOT / ".pytest_cache" / "query-ui.png"))  # type: ignore[attr-defined]


def test_a_resource_page_renders_without_errors(browser: object, release_server: str) -> None:
    page, requests, errors = open_page(browser, release_server + "/id/city/bogota")
    assert page.locator("h1").inner_text() == "Bogotá"  # type: ignore[attr-defined]
    assert page.locator("a", has_text="Colombia").count() >= 1  # type: ignore[attr-defined]
    assert only_loopback(requests) == []
    assert errors == []


def test_the_landing_page_links_every_download(browser: object, release_server: str) -> None:
    page, requests, errors = open_page(browser, release_server + "/")
    links = page.locator(".downloads a").all_inner_texts()  # type: ignore[attr-defined]
    assert "graph.jsonld" in links
    assert only_loopback(requests) == []
    assert errors == []


@pytest.mark.parametrize("entity", ["city/milan", "city/buenos-aires", "person/jeff-merritt"])
def test_a_reconciliation_preview_fits_the_size_the_manifest_gives(
    browser: object, release_server: str, entity: str
) -> None:
    """At the manifest's preview size, nothing overflows; the preview names the country,
    the coordinates and the Wikidata id where the entity has them."""
    import httpx

    size = httpx.get(release_server + "/reconcile").json()["preview"]
    page = browser.new_page(viewport={"width": size["width"], "height": size["height"]})  # type: ignore[attr-defined]
    page.goto(f"{release_server}/reconcile/preview?id={entity}", wait_until="networkidle")
    width, height = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert width <= size["width"]
    assert height <= size["height"]
    text = page.inner_text("body")
    if entity == "city/milan":
        assert "Italy" in text
        assert "Q490" in text
        assert "45.46" in text
    page.close()
