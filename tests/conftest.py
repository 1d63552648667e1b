"""Shared fixtures: the real data, a release built once per session, and golden-file updates."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from smartcity_graph.graph.pipeline import Release, build
from smartcity_graph.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from the current build instead of comparing (never in CI)",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def settings_for(data: Path, out: Path) -> Settings:
    return Settings(
        data_dir=data,
        ontology_dir=ROOT / "ontology",
        shapes_dir=ROOT / "shapes",
        release_dir=out,
    )


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_for(ROOT / "data", tmp_path_factory.mktemp("release") / "release")


@pytest.fixture(scope="session")
def release(real_settings: Settings) -> Release:
    """The real data, built, validated and published once for the whole session."""
    return build(real_settings)


@pytest.fixture(scope="session")
def release_dir(release: Release) -> Path:
    assert release.path is not None
    return release.path


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may damage."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


# -- Real servers on loopback ---------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop_process(process: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM, wait up to *timeout* seconds, then SIGKILL."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_healthy(
    process: subprocess.Popen[bytes], url: str, output: Callable[[], str], timeout: float = 60
) -> None:
    """Return once *url*``/health`` answers 200; fail with the server's *output* if it exits
    first, or say so if it does not answer within *timeout* seconds."""
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, f"the server exited: {output()}"
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        assert time.monotonic() < deadline, "the server did not become healthy"
        time.sleep(0.1)


def read_log(log: Any) -> Callable[[], str]:
    """The text written so far to the temporary file *log* (a server's output)."""

    def read() -> str:
        log.seek(0)
        return str(log.read().decode(errors="replace"))

    return read


def build_args(data: Path, out: Path) -> list[str]:
    """``build`` options for *data* with the project's ontology and shapes, into *out*."""
    return [
        "--data",
        str(data),
        "--ontology",
        str(ROOT / "ontology"),
        "--shapes",
        str(ROOT / "shapes"),
        "--out",
        str(out),
    ]


def client_for(release_dir: Path, **settings: object) -> Iterator[Any]:
    """A TestClient over the app serving *release_dir* with *settings* (started and stopped)."""
    from fastapi.testclient import TestClient

    from smartcity_graph.query.dataset import from_release
    from smartcity_graph.web import create_app

    app = create_app(Settings(**settings), from_release(release_dir))  # type: ignore[arg-type]
    with TestClient(app) as client:
        yield client


@contextlib.contextmanager
def running_server(*args: str, timeout: float = 60) -> Iterator[str]:
    """``smartcity-graph serve ARGS`` as a real uvicorn process on 127.0.0.1; yields its URL."""

    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "smartcity_graph",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *args,
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, url, read_log(log), timeout)
        yield url
    finally:
        stop_process(process, 15)
        log.close()


@pytest.fixture(scope="session")
def release_server(release_dir: Path) -> Iterator[str]:
    """The real release served by a real uvicorn on loopback."""
    with running_server("--release", str(release_dir), "--query-timeout", "5") as url:
        yield url


# -- A real browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium for a module's tests (skipped, with the reason, without it).

    Module-scoped on purpose: Playwright's sync API keeps its event loop running while it is
    open, and a test after it that calls ``asyncio.run`` would fail."""
    import chromium

    if not chromium.installed():
        pytest.skip(chromium.MISSING)
    playwright_sync = pytest.importorskip("playwright.sync_api")
    with playwright_sync.sync_playwright() as driver:
        instance = chromium.launch(driver)
        yield instance
        instance.close()
