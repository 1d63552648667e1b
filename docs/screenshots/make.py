"""Take the screenshots in this folder: the pages as a person sees them at 1280 px wide.

    .venv/bin/python docs/screenshots/make.py [--release release] [--out docs/screenshots]

Starts ``smartcity-graph serve`` on the release (build one first: ``make run`` or
``smartcity-graph build --out release``) on a free loopback port, drives Debian's Chromium
with Playwright (never ``playwright install``), writes one PNG per entry of ``SHOTS`` and
stops the server. ``tests/test_accessibility.py`` takes the same screenshots with this code.

Each picture is the top of the page, at most ``MAX_HEIGHT`` pixels tall, so the files stay
small (no PNG optimiser is part of the project).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the browser tests' Chromium settings

import chromium  # noqa: E402

WIDTH = 1280
MAX_HEIGHT = 2000


def run_first_example(page: Any) -> None:
    """The query UI after running the example in its first tab (selected on load)."""
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click(".tabPanel.active .yasqe_queryButton")
    page.wait_for_selector(".tabPanel.active .yasr table tbody tr", timeout=20_000)


@dataclass(frozen=True)
class Shot:
    """One screenshot: its file name, the page, what to do before taking it, and how much of
    the page's top it shows at most."""

    file: str
    path: str
    prepare: Callable[[Any], None] | None = None
    height: int = MAX_HEIGHT


SHOTS: tuple[Shot, ...] = (
    Shot("landing.png", "/"),
    Shot("city-medellin.png", "/id/city/medellin"),
    Shot("quote-jeff-merritt.png", "/id/quote/2020-11-17-jeff-merritt"),
    # The editor, the result's header and its first twenty rows.
    Shot("query-ui.png", "/sparql", run_first_example, height=1400),
)


def take_screenshots(context: Any, base_url: str, folder: Path) -> list[Path]:
    """Each of ``SHOTS`` from the server at *base_url*, in a Playwright browser *context*
    (1280 px wide), written to *folder*; returns the files written."""
    written = []
    for shot in SHOTS:
        page = context.new_page()
        try:
            page.goto(base_url + shot.path, wait_until="networkidle")
            if shot.prepare is not None:
                shot.prepare(page)
            # No caret blinking or hover state in the picture.
            page.mouse.move(0, 0)
            height = min(page.evaluate("document.documentElement.scrollHeight"), shot.height)
            target = folder / shot.file
            page.screenshot(
                path=str(target),
                full_page=True,
                clip={"x": 0, "y": 0, "width": WIDTH, "height": height},
                animations="disabled",
                caret="hide",
            )
            written.append(target)
        finally:
            page.close()
    return written


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(release: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``smartcity-graph serve`` on *release*, on a free loopback port, once it is healthy."""
    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "smartcity_graph", "serve", "--release", str(release)),
            *("--host", "127.0.0.1", "--port", str(port)),
        ],
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with status {process.returncode}")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise SystemExit("the server did not become healthy within 60 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, default=ROOT / "release")
    parser.add_argument("--out", type=Path, default=HERE)
    options = parser.parse_args(argv)
    if not (options.release / "manifest.json").exists():
        parser.error(f"no release in {options.release}: run `smartcity-graph build` first")
    from playwright.sync_api import sync_playwright

    options.out.mkdir(parents=True, exist_ok=True)
    process, url = serve(options.release)
    try:
        with sync_playwright() as driver:
            browser = chromium.launch(driver)
            context = browser.new_context(viewport={"width": WIDTH, "height": 800})
            for path in take_screenshots(context, url, options.out):
                print(f"{path} ({path.stat().st_size // 1024} KB)")
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
