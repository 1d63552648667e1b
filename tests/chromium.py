"""Debian's Chromium, as every browser test (and ``docs/screenshots/make.py``) starts it.

The flags keep it from reaching for the network at start-up (this machine has none but the
package registries) and let it run as root in a container. Playwright drives it; the
browser builds Playwright would download are never used.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MISSING = "Chromium not installed (Debian package chromium; `make system-deps`)"


def installed() -> bool:
    return Path(CHROMIUM).exists()


def launch(driver: Any) -> Any:
    """A headless Chromium from a Playwright driver (``sync_playwright()``)."""
    return driver.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
