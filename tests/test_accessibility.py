"""Every kind of page, as people with different means see and use it, in a real browser
(Debian's Chromium, driven by Playwright) against a real server on loopback.

For each page type, at 1280 px and at 390 px wide:

- axe-core (vendored in ``tests/vendor/axe-core``) finds nothing of impact "serious" or
  "critical"; the moderate and minor findings are collected in a report (shown in pytest's
  terminal summary and written to ``accessibility-report.txt`` in its temporary folder);
- the console stays clean, no request fails, and none leaves 127.0.0.1;
- nothing is wider than the screen (390 px; 1280 px at 200% zoom, 640 CSS px; and at 400%,
  320 CSS px, the width WCAG 2.2 asks content to reflow to);
- nothing moves once drawn (cumulative layout shift 0: the pages use system fonts only, so
  there is no web font to swap in and no allowance is made for one);
- the first Tab reaches "Skip to content", which moves focus to ``<main>``, and focus is seen.

Pages other than /sparql need no JavaScript: the landing page, a city page and the search
form are checked with it switched off. Screenshots are written to ``$SCREENSHOT_DIR`` (or a
pytest temporary folder) by the same code as ``docs/screenshots/make.py``.

axe-core is put into the page with ``page.evaluate`` of the file's text, not with
``add_script_tag``: Playwright's script tag is inline, which the pages' Content-Security-Policy
(``script-src 'self'``) refuses, and ``bypass_csp=True`` would switch the policy off for the
page under test too, hiding the very violations the console check looks for. ``evaluate`` runs
through the DevTools protocol, which the policy does not govern.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import pytest

import chromium
from smartcity_graph.web.landing import HEADLINES

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not chromium.installed(),
        reason=chromium.MISSING,
    ),
]
ROOT = Path(__file__).resolve().parent.parent
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
CITY_COUNT = 36

#: One page of each type. A statement's slug ends in a hash of its content, so the
#: statement is looked up in the release (``{statement}``). The dataset description is a page
#: for a browser: Chromium's own ``Accept`` asks for it (checked: every answer is HTML).
PAGES: dict[str, str] = {
    "landing": "/",
    "search results": "/search?q=Medellin",
    "city": "/id/city/medellin",
    "country": "/id/country/colombia",
    "continent": "/id/continent/south-america",
    "organisation": "/id/organisation/world-economic-forum",
    "person": "/id/person/jeff-merritt",
    "quote": "/id/quote/2020-11-17-jeff-merritt",
    "commitment": "/id/commitment/medellin-2020",
    "policy area": "/id/policy-area/privacy-protection",
    "source": "/id/source/wef-press-release-2020-11-17",
    "statement": "{statement}",
    "dataset description": "/.well-known/void",
    "ontology": "/def",
    "ontology term": "/def/RoadmapCommitment",
    "shapes": "/shapes",
    "query UI": "/sparql",
    "error page": "/id/city/atlantis",
}
#: Pages answered with an error status on purpose (the document's own status is not a
#: failed request there).
ERROR_PAGES = {"error page": 404}


@dataclass(frozen=True)
class Screen:
    """A browser window: its size in CSS pixels and its device pixel ratio."""

    name: str
    width: int
    height: int
    scale: float = 1


DESKTOP = Screen("1280px", 1280, 800)
PHONE = Screen("390px", 390, 844, 2)
#: 1280 px at 200% zoom: half as many CSS pixels, each two device pixels.
ZOOMED = Screen("1280px-at-200%", 640, 400, 2)
#: 1280 px at 400% zoom, WCAG 2.2's reflow width (1.4.10): 320 CSS pixels.
REFLOW = Screen("1280px-at-400%", 320, 256, 4)
SCREENS = (DESKTOP, PHONE)


# -- Collecting what a page does ------------------------------------------------------------


@dataclass
class Visit:
    """What a page did while it loaded: console errors, failed requests, requests elsewhere."""

    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)


def is_loopback(url: str) -> bool:
    parts = urlparse(url)
    return parts.scheme not in ("http", "https", "ws", "wss") or parts.hostname == "127.0.0.1"


def new_context(browser: Browser, screen: Screen, **options: Any) -> BrowserContext:
    """A fresh browser context (no cache, no cookies) of *screen*'s size."""
    return browser.new_context(
        viewport={"width": screen.width, "height": screen.height},
        device_scale_factor=screen.scale,
        extra_http_headers={"Accept-Language": "en"},
        **options,
    )


def watch(context: BrowserContext, visit: Visit, document_status: int = 200) -> None:
    """Record console errors, failed requests and any request that leaves 127.0.0.1 (which
    is refused before it goes out)."""

    def route(route: Any) -> None:
        if is_loopback(route.request.url):
            route.continue_()
        else:
            visit.elsewhere.append(route.request.url)
            route.abort("blockedbyclient")

    def response(response: Any) -> None:
        expected = document_status if response.request.is_navigation_request() else 200
        if response.status >= 400 and response.status != expected:
            visit.failed.append(f"{response.status} {response.url}")

    def console(message: Any) -> None:
        if message.type != "error":
            return
        text = message.text
        # Chromium reports the document's own error status as a console error.
        if document_status >= 400 and text.startswith(
            f"Failed to load resource: the server responded with a status of {document_status}"
        ):
            return
        visit.errors.append(f"{text} ({message.location.get('url', '')})")

    context.route("**/*", route)
    context.on("response", response)
    context.on("requestfailed", lambda request: visit.failed.append(f"failed {request.url}"))
    context.on("console", console)
    context.on("weberror", lambda error: visit.errors.append(str(error.error)))


# -- Measurements in the page ---------------------------------------------------------------

#: Cumulative layout shift since the document started: every buffered 'layout-shift' entry
#: not caused by input, after two animation frames and a quiet moment.
LAYOUT_SHIFT_JS = """
() => new Promise((resolve) => {
  let total = 0;
  const shifts = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      total += entry.value;
      const named = (node) => node.nodeName.toLowerCase() + (node.id ? '#' + node.id : '')
        + (typeof node.className === 'string' && node.className ? '.' + node.className : '');
      shifts.push(entry.sources.map((s) => (s.node ? named(s.node) : '?')).join(' '));
    }
  });
  observer.observe({ type: 'layout-shift', buffered: true });
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => {
    for (const entry of observer.takeRecords()) {
      if (!entry.hadRecentInput) { total += entry.value; shifts.push('late'); }
    }
    observer.disconnect();
    resolve({ total, shifts });
  }, 300)));
})
"""

#: What is wider than the window: the document's width and the widest offenders.
OVERFLOW_JS = """
() => {
  const width = window.innerWidth;
  const wide = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    const fixed = getComputedStyle(element).position === 'fixed';
    if (box.width > 0 && box.right > width + 0.5 && !fixed) {
      let clipped = false;
      for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
        const style = getComputedStyle(up);
        if (style.overflowX !== 'visible' && up.getBoundingClientRect().right <= width + 0.5) {
          clipped = true;
          break;
        }
      }
      if (!clipped) {
        wide.push(element.tagName.toLowerCase() + (element.id ? '#' + element.id : '')
          + (typeof element.className === 'string' && element.className
             ? '.' + element.className.trim().split(/\\s+/).join('.') : '')
          + ' right=' + Math.round(box.right));
      }
    }
  }
  return { scrollWidth: document.documentElement.scrollWidth, innerWidth: width,
           wide: wide.slice(0, 8) };
}
"""

#: The focused element and whether its focus can be seen: while focused it draws a ring (an
#: outline or a box shadow; for a map marker, an SVG link, a stroke on its circle) that it
#: does not draw once blurred. A text field of a few pixels, or inside a box of a few pixels
#: that hides it (CodeMirror's textarea, which takes the keys for the editor), shows its
#: focus on the nearest of its four closest ancestors that draws a ring. The element is
#: focused again afterwards.
FOCUS_JS = """
() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const ringed = (node) => {
    const style = getComputedStyle(node);
    if ((style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
        || style.boxShadow !== 'none') return true;
    return node instanceof SVGElement && [...node.querySelectorAll('circle')].some((circle) => {
      const c = getComputedStyle(circle);
      return c.stroke !== 'none' && parseFloat(c.strokeWidth) >= 2;
    });
  };
  const look = (node) => {
    const parts = [];
    for (const part of [node, ...node.querySelectorAll('circle')]) {
      const style = getComputedStyle(part);
      parts.push(style.outline, style.boxShadow, style.stroke, style.strokeWidth, style.fill);
    }
    return parts.join(' ');
  };
  const tiny = (node) => {
    const r = node.getBoundingClientRect();
    return r.width <= 3 || r.height <= 3;
  };
  const box = element.getBoundingClientRect();
  const clipped = tiny(element) || (tiny(element.parentElement)
    && getComputedStyle(element.parentElement).overflow === 'hidden');
  let shows = ringed(element) ? element : null;
  if (!shows && clipped) {
    let up = element.parentElement;
    for (let level = 0; up && level < 4 && !shows; level += 1, up = up.parentElement) {
      if (ringed(up)) shows = up;
    }
  }
  let visible = false;
  if (shows) {
    const focused = look(shows);
    element.blur();
    visible = look(shows) !== focused;
    element.focus();
  }
  return {
    tag: element.tagName.toLowerCase(),
    id: element.id,
    text: (element.innerText || element.getAttribute('aria-label') || '').trim().slice(0, 60),
    visible,
    inView: box.bottom > 0 && box.right > 0 && box.top < window.innerHeight
            && box.left < window.innerWidth,
  };
}
"""

#: axe-core's default rules, and WCAG 2.2's target size (2.5.8), which it leaves off by default.
AXE_JS = """
async () => {
  const results = await axe.run(document, {
    resultTypes: ['violations'],
    rules: { 'target-size': { enabled: true } },
  });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
  }));
}
"""


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on *page* as it is now."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(axe_source())
    violations: list[dict[str, Any]] = page.evaluate(AXE_JS)
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    """Each violation: rule id, impact, help, and where (with axe's reason for the first)."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for index, node in enumerate(violation["nodes"][:10]):
            lines.append(f"    at {node['target']}")
            if index == 0 and node["summary"]:
                lines.extend(f"       {line}" for line in node["summary"].splitlines())
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


# -- One audit per page and screen ----------------------------------------------------------


@dataclass
class Audit:
    """Everything measured on one page at one screen size, from one load."""

    url: str
    visit: Visit
    violations: list[dict[str, Any]]
    layout_shift: dict[str, Any]
    overflow: dict[str, Any]
    focused_on_load: dict[str, Any] | None
    first_tab: dict[str, Any] | None
    after_skip: dict[str, Any] | None
    focus_walk: list[dict[str, Any] | None]


#: How many Tab presses after the skip link are checked for a visible focus.
TAB_STOPS = 12


def audit_page(browser: Browser, url: str, screen: Screen, status: int = 200) -> Audit:
    """Load *url* once at *screen*'s size and measure it: layout shift and width as drawn,
    axe-core on the page as loaded, then the keyboard from the top of the page."""
    visit = Visit()
    context = new_context(browser, screen)
    watch(context, visit, status)
    try:
        page = context.new_page()
        response = page.goto(url, wait_until="networkidle")
        assert response is not None
        assert response.status == status, f"{url}: {response.status}"
        assert response.headers["content-type"].startswith("text/html"), response.headers
        layout_shift = page.evaluate(LAYOUT_SHIFT_JS)
        overflow = page.evaluate(OVERFLOW_JS)
        violations = run_axe(page)
        focused_on_load = page.evaluate(FOCUS_JS)
        page.keyboard.press("Tab")
        first_tab = page.evaluate(FOCUS_JS)
        page.keyboard.press("Enter")
        page.wait_for_timeout(100)
        after_skip = page.evaluate(FOCUS_JS)
        walk = []
        for _ in range(TAB_STOPS):
            page.keyboard.press("Tab")
            walk.append(page.evaluate(FOCUS_JS))
        return Audit(
            url,
            visit,
            violations,
            layout_shift,
            overflow,
            focused_on_load,
            first_tab,
            after_skip,
            walk,
        )
    finally:
        context.close()


@pytest.fixture(scope="module")
def page_urls(release_server: str, release_dir: Path) -> dict[str, str]:
    """The URL of each page type on the test server."""
    graph = (release_dir / "graph.nt").read_text(encoding="utf-8")
    found = re.search(r"/id/statement/(city-medellin-sameas-[0-9a-f]+)>", graph)
    assert found, "no statement about Medellín's Wikidata link in the release"
    statement = f"/id/statement/{found.group(1)}"
    return {name: release_server + path.format(statement=statement) for name, path in PAGES.items()}


@dataclass
class Report:
    """The moderate and minor findings, and the figures, gathered across the module; shown
    in pytest's terminal summary and written to ``accessibility-report.txt`` in its
    temporary folder."""

    path: Path
    lines: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def add(self, page: str, screen: str, line: str) -> None:
        self.lines.setdefault((page, screen), []).append(line)
        self.path.write_text(self.text() + "\n", encoding="utf-8")

    def text(self) -> str:
        out = []
        for (page, screen), lines in self.lines.items():
            out.append(f"{page} @ {screen}:")
            out.extend(f"  {line}" for line in lines)
        return "\n".join(out)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """A pytest hook: this object is registered as a plugin while the module runs."""
        if self.lines:
            terminalreporter.write_sep("-", "accessibility: minor and moderate findings, figures")
            terminalreporter.write_line(self.text())
            terminalreporter.write_line(f"(also in {self.path})")


@pytest.fixture(scope="module")
def report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Report:
    gathered = Report(tmp_path_factory.getbasetemp() / "accessibility-report.txt")
    request.config.pluginmanager.register(gathered, "accessibility-report")
    return gathered


@pytest.fixture(scope="module")
def audits(
    browser: Browser, page_urls: dict[str, str], report: Report
) -> Callable[[str, Screen], Audit]:
    """Each page type at each screen size, loaded and measured once, on first use."""

    @cache
    def audit(name: str, screen: Screen) -> Audit:
        result = audit_page(browser, page_urls[name], screen, ERROR_PAGES.get(name, 200))
        for violation in result.violations:
            if violation["impact"] not in ("serious", "critical"):
                targets = ", ".join(node["target"] for node in violation["nodes"][:5])
                report.add(
                    name,
                    screen.name,
                    f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}x): "
                    f"{violation['help']} [{targets}]",
                )
        report.add(
            name,
            screen.name,
            f"layout shift {result.layout_shift['total']:.4f}; scrollWidth "
            f"{result.overflow['scrollWidth']} of {result.overflow['innerWidth']}",
        )
        return result

    return audit


BOTH = pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
EVERY_PAGE = pytest.mark.parametrize("name", list(PAGES))


@BOTH
@EVERY_PAGE
def test_axe_finds_nothing_serious_or_critical(
    audits: Callable[[str, Screen], Audit], name: str, screen: Screen
) -> None:
    result = audits(name, screen)
    serious = [v for v in result.violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"{result.url} at {screen.name}:\n{describe(serious)}"


@BOTH
@EVERY_PAGE
def test_the_console_is_clean_and_every_request_stays_on_loopback(
    audits: Callable[[str, Screen], Audit], name: str, screen: Screen
) -> None:
    visit = audits(name, screen).visit
    assert visit.errors == []
    assert visit.failed == []
    assert visit.elsewhere == []


@BOTH
@EVERY_PAGE
def test_nothing_moves_once_drawn(
    audits: Callable[[str, Screen], Audit], name: str, screen: Screen
) -> None:
    shift = audits(name, screen).layout_shift
    assert shift["total"] == 0, shift


@BOTH
@EVERY_PAGE
def test_the_first_tab_reaches_the_skip_link_which_moves_focus_to_main(
    audits: Callable[[str, Screen], Audit], name: str, screen: Screen
) -> None:
    result = audits(name, screen)
    assert result.focused_on_load is None, f"focused before any key: {result.focused_on_load}"
    first = result.first_tab
    assert first is not None, "the first Tab focused nothing"
    assert (first["tag"], first["text"]) == ("a", "Skip to content"), first
    assert first["visible"], "the skip link's focus is not visible"
    assert first["inView"], "the focused skip link is off screen"
    after = result.after_skip
    assert after is not None, "Enter on the skip link left focus nowhere"
    assert (after["tag"], after["id"]) == ("main", "main"), after


@BOTH
@EVERY_PAGE
def test_focus_is_always_visible(
    audits: Callable[[str, Screen], Audit], name: str, screen: Screen
) -> None:
    """The Tab stops after the skip link (into <main>) each show where focus is."""
    walk = audits(name, screen).focus_walk
    unseen = [stop for stop in walk if stop is not None and not stop["visible"]]
    assert not unseen, f"no visible focus on {len(unseen)} of {len(walk)} Tab stops: {unseen}"


@pytest.mark.parametrize(
    "screen", [PHONE, ZOOMED, REFLOW], ids=[PHONE.name, ZOOMED.name, REFLOW.name]
)
@EVERY_PAGE
def test_nothing_is_wider_than_the_screen(
    browser: Browser,
    audits: Callable[[str, Screen], Audit],
    page_urls: dict[str, str],
    report: Report,
    name: str,
    screen: Screen,
) -> None:
    if screen is PHONE:
        overflow = audits(name, screen).overflow
    else:
        context = new_context(browser, screen)
        try:
            page = context.new_page()
            page.goto(page_urls[name], wait_until="networkidle")
            overflow = page.evaluate(OVERFLOW_JS)
        finally:
            context.close()
        report.add(name, screen.name, f"scrollWidth {overflow['scrollWidth']} of {screen.width}")
    assert overflow["scrollWidth"] <= overflow["innerWidth"], overflow


# -- Without JavaScript ---------------------------------------------------------------------


@pytest.fixture
def no_script(browser: Browser) -> Iterator[Page]:
    context = new_context(browser, DESKTOP, java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_landing_page_is_whole_without_javascript(no_script: Page, release_server: str) -> None:
    no_script.goto(release_server + "/")
    assert no_script.locator("h1").count() == 1
    assert no_script.locator("figure.world-map svg a.map-marker").count() == CITY_COUNT
    assert no_script.locator(".city-list a[href*='/id/city/']").count() == CITY_COUNT
    assert no_script.locator("svg.chart").count() >= 1
    assert no_script.locator("table.chart-table tbody tr").count() >= 1
    assert no_script.locator(".headlines .number").count() == len(HEADLINES)
    assert no_script.locator(".downloads a[href*='/release/']").count() > 0


def test_a_city_page_is_whole_without_javascript(no_script: Page, release_server: str) -> None:
    no_script.goto(release_server + "/id/city/medellin")
    assert no_script.locator("h1").inner_text() == "Medellín"
    facts = no_script.locator("dl.key-facts dt").all_inner_texts()
    assert "Country" in facts, facts
    assert no_script.locator("dl.key-facts a", has_text="Colombia").count() >= 1
    assert no_script.locator("figure.city-map svg").count() == 1
    assert no_script.locator(".sources-list li").count() >= 1


def test_the_search_form_works_without_javascript(no_script: Page, release_server: str) -> None:
    no_script.goto(release_server + "/")
    no_script.fill("#q", "Medellin")
    with no_script.expect_navigation():
        no_script.press("#q", "Enter")
    assert urlparse(no_script.url).path == "/search"
    assert no_script.locator("ul.results a[href$='/id/city/medellin']").count() == 1


# -- With JavaScript ------------------------------------------------------------------------


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = new_context(browser, DESKTOP)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_map_has_one_marker_link_per_city(page: Page, release_server: str) -> None:
    page.goto(release_server + "/")
    hrefs = page.locator("figure.world-map svg a.map-marker").evaluate_all(
        "(links) => links.map((a) => a.getAttribute('href'))"
    )
    assert len(hrefs) == CITY_COUNT
    assert len(set(hrefs)) == CITY_COUNT
    assert all(urlparse(href).path.startswith("/id/city/") for href in hrefs), hrefs
    listed = page.locator(".city-list a[href*='/id/city/']").evaluate_all(
        "(links) => links.map((a) => a.getAttribute('href'))"
    )
    assert sorted(hrefs) == sorted(listed)


@pytest.mark.parametrize(("typed", "slug"), [("Medellin", "medellin"), ("Bogota", "bogota")])
def test_the_search_form_finds_a_city_without_its_accents(
    page: Page, release_server: str, typed: str, slug: str
) -> None:
    page.goto(release_server + "/")
    page.fill("#q", typed)
    with page.expect_navigation():
        page.click("form.search button[type=submit]")
    results = page.locator("ul.results a")
    assert results.first.get_attribute("href", timeout=5_000)
    hrefs = results.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    assert any(urlparse(href).path == f"/id/city/{slug}" for href in hrefs), hrefs


def test_suggestions_fill_as_you_type(page: Page, release_server: str) -> None:
    page.goto(release_server + "/", wait_until="networkidle")
    page.locator("#q").press_sequentially("Bog", delay=50)
    options = page.locator("#q-suggestions option")
    options.first.wait_for(state="attached", timeout=5_000)
    values = options.evaluate_all("(options) => options.map((o) => o.value)")
    assert "Bogotá" in values, values


# -- Screenshots ----------------------------------------------------------------------------


def screenshot_script() -> ModuleType:
    """``docs/screenshots/make.py``, which takes the committed screenshots the same way."""
    spec = importlib.util.spec_from_file_location(
        "screenshots_make", ROOT / "docs" / "screenshots" / "make.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("SCREENSHOT_DIR")
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


def test_screenshots_as_a_person_sees_the_pages(
    browser: Browser, release_server: str, screenshot_dir: Path
) -> None:
    make = screenshot_script()
    visit = Visit()
    context = new_context(browser, DESKTOP)
    watch(context, visit)
    try:
        written = make.take_screenshots(context, release_server, screenshot_dir)
    finally:
        context.close()
    assert [path.name for path in written] == [shot.file for shot in make.SHOTS]
    for path in written:
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width == DESKTOP.width
        assert 400 <= height <= make.MAX_HEIGHT
    assert visit.errors == []
    assert visit.failed == []
    assert visit.elsewhere == []
