"""Shared fixtures: the real data, a release built once per session, and golden-file updates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from smartcity_graph.pipeline import Release, build
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
