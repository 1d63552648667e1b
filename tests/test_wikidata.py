"""`smartcity-graph wikidata check` and `quickstatements`, on recorded-format fixtures only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartcity_graph.cli import main
from smartcity_graph.integrate.wikidata import distance_km

FIXTURES = Path(__file__).parent / "fixtures" / "wikidata"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(list(args)) == 0
    return capsys.readouterr().out


def check(release_dir: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    """``wikidata check`` on the release with the recorded-format fixtures, plus *extra*."""
    return run(
        capsys,
        "wikidata",
        "check",
        "--release",
        str(release_dir),
        "--fixtures",
        str(FIXTURES),
        *extra,
    )


def rows_for(rows: list[dict[str, str]], qid: str) -> dict[str, dict[str, str]]:
    return {row["check"]: row for row in rows if row["qid"] == qid}


@pytest.fixture
def checked(release_dir: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, str]]:
    out = check(release_dir, capsys, "--json")
    rows: list[dict[str, str]] = json.loads(out)
    return rows


def test_agreements_are_reported_per_check(checked: list[dict[str, str]]) -> None:
    milan = rows_for(checked, "Q490")
    assert milan["label"]["result"] == "agree"
    assert milan["country (P17)"]["result"] == "agree"
    assert milan["coordinates (P625)"]["result"] == "agree"
    assert milan["GeoNames ID (P1566)"]["result"] == "agree"
    assert milan["instance of (P31)"]["wikidata"] == "Q515"
    italy = rows_for(checked, "Q38")
    assert italy["ISO alpha-2 (P297)"]["result"] == "agree"
    assert italy["ISO alpha-3 (P298)"]["result"] == "agree"


def test_differences_are_reports_not_crashes(checked: list[dict[str, str]]) -> None:
    london = rows_for(checked, "Q84")
    assert london["coordinates (P625)"]["result"] == "differ"
    assert "km" in london["coordinates (P625)"]["wikidata"]
    assert london["GeoNames ID (P1566)"]["result"] == "missing-in-wikidata"
    barcelona = rows_for(checked, "Q1492")
    assert barcelona["label"]["result"] == "differ"


def test_entities_without_data_say_so(checked: list[dict[str, str]]) -> None:
    kampala = rows_for(checked, "Q3894")
    assert kampala["entity"]["result"] == "no-data"
    assert len({row["qid"] for row in checked}) == 68  # every verified link is checked


def test_the_table_has_a_row_per_check_and_a_summary(
    release_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = check(release_dir, capsys)
    assert out.splitlines()[0].split()[:6] == [
        "entity",
        "qid",
        "check",
        "ours",
        "wikidata",
        "result",
    ]
    assert "city/milan" in out
    assert "summary:" in out
    assert "agree" in out.split("summary:")[1]


def test_a_tighter_tolerance_turns_an_agreement_into_a_difference(
    release_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = check(release_dir, capsys, "--json", "--tolerance-km", "0.1")
    milan = rows_for(json.loads(out), "Q490")
    assert milan["coordinates (P625)"]["result"] == "differ"


def test_quickstatements_propose_only_sourced_facts_wikidata_lacks(
    release_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(
        capsys,
        "wikidata",
        "quickstatements",
        "--release",
        str(release_dir),
        "--fixtures",
        str(FIXTURES),
    )
    lines = out.strip().splitlines()
    assert lines[0] == "CREATE"
    assert lines[1] == 'LAST\tLen\t"G20 Global Smart Cities Alliance"'
    memberships = [line for line in lines if "\tP463\tLAST\t" in line]
    # Kampala (Q3894) and Lisbon (Q597) rest on the press release alone, whose address was not
    # seen: no statement without a reference URL is proposed for them.
    assert len(memberships) == 34
    assert not any(line.startswith(("Q3894\t", "Q597\t")) for line in memberships)
    for line in memberships:
        fields = line.split("\t")
        assert fields[3:5] == ["P580", "+2020-11-17T00:00:00Z/11"]
        assert fields[5] == "S854"
        assert fields[6].startswith('"http')
    assert lines[2].startswith("LAST\tDen\t")
    for line in lines[3:]:  # every statement (not the new item's label and description)
        assert "\tS854\t" in line, f"a statement without a reference: {line}"
    geonames = [line for line in lines if "\tP1566\t" in line]
    assert geonames == [line for line in geonames if line.startswith("Q84\t")]
    assert len(geonames) == 1  # London's fixture lacks a GeoNames ID; Milan's has one


def test_live_mode_reports_an_unreachable_wikidata_and_goes_on(
    release_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import smartcity_graph.integrate.wikidata as wikidata

    monkeypatch.setattr(wikidata, "ENTITY_DATA_URL", "http://127.0.0.1:9/{qid}.json")
    out = run(capsys, "wikidata", "check", "--release", str(release_dir), "--live")
    assert "not fetched" in out
    assert "no-data" in out


def test_distance_is_a_great_circle() -> None:
    assert distance_km(0, 0, 0, 1) == pytest.approx(111.19, abs=0.1)
    assert distance_km(45.46, 9.19, 45.46, 9.19) == 0
