"""The command line: exit codes 0/1/2, readable errors; a failed build leaves the release alone."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conftest import build_args
from smartcity_graph import cli
from smartcity_graph.cli import main
from smartcity_graph.graph import publish

ROOT = Path(__file__).resolve().parent.parent


def args(data: Path, out: Path) -> list[str]:
    return build_args(data, out)


def snapshot(directory: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.iterdir())
    }


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """A good release, built by the CLI from the real data."""
    out = tmp_path / "release"
    assert main(["build", *args(ROOT / "data", out)]) == 0
    return out


def test_build_publishes_a_release_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", *args(ROOT / "data", tmp_path / "release")]) == 0
    assert (tmp_path / "release" / "manifest.json").is_file()
    out = capsys.readouterr().out
    assert "release written to" in out
    assert "triples" in out


def test_validate_on_the_real_data_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "--data", str(ROOT / "data")])
    assert code == 0
    assert "conforms" in capsys.readouterr().out


def test_a_bad_record_exits_1_names_the_line_and_leaves_the_release_intact(
    published: Path, data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(published)
    cities = data_copy / "cities.yaml"
    cities.write_text(cities.read_text().replace("country: italy", "country: italia"))
    capsys.readouterr()
    assert main(["build", *args(data_copy, published)]) == 1
    err = capsys.readouterr().err
    assert "cities.yaml:" in err
    assert "(record milan)" in err
    assert "unknown country 'italia'" in err
    assert snapshot(published) == before


def test_a_shape_violation_exits_1_names_the_record_and_leaves_the_release_intact(
    published: Path, data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(published)
    countries = data_copy / "countries.yaml"
    countries.write_text(
        countries.read_text() + "- id: france\n  name: France\n  iso2: FR\n  iso3: FRA\n"
        "  sources: [wef-press-release-2020-11-17]\n"
    )
    capsys.readouterr()
    assert main(["build", *args(data_copy, published)]) == 1
    err = capsys.readouterr().err
    assert "countries.yaml:" in err
    assert "(record france)" in err
    assert "at least one pioneer city" in err
    assert "CountryShape" in err
    assert snapshot(published) == before
    assert main(["validate", "--data", str(data_copy)]) == 1


def test_a_crash_while_publishing_exits_2_and_leaves_the_release_intact(
    published: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(published)

    def disk_full(new: Path, out: Path, backup: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish, "_swap", disk_full)
    assert main(["build", *args(ROOT / "data", published)]) == 2
    assert "previous release untouched" in capsys.readouterr().err
    assert snapshot(published) == before
    leftovers = [p.name for p in published.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_a_bad_release_date_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["build", *args(ROOT / "data", tmp_path / "r"), "--date", "17/11/2020"]) == 2
    assert not (tmp_path / "r").exists()


def test_a_missing_data_directory_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["validate", "--data", str(tmp_path / "nowhere")]) == 2


def test_an_unknown_command_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2


def test_exit_codes_are_the_documented_ones() -> None:
    assert set(cli.EXIT_CODES) == {0, 1, 2}
