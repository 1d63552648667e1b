"""Bad input gets a clear error naming file, line, record and reason; all problems at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from smartcity_graph.errors import SourceDataErrors
from smartcity_graph.graph.sources import read_records


def replace(file: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def damage(data: Path) -> None:
        path = data / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture text {old!r} not in {file}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return damage


# (case id, damage, file, record, reason pattern)
CASES = [
    (
        "name-split-at-a-comma",
        # The first edition's defect: one name, split in two by YAML at its comma.
        replace(
            "organisations.yaml",
            "  alternate_names:\n"
            '    - {name: "Secretaria de Ciência, Tecnologia e Inovação do Distrito Federal", '
            "language: pt}\n    - {name: Secti-DF, language: pt}\n",
            "  alternate_names: "
            "[Secretaria de Ciência, Tecnologia e Inovação do Distrito Federal]\n",
        ),
        "organisations.yaml",
        None,
        r"'Secretaria de Ciência' is unquoted in a \[\.\.\.\] list",
    ),
    (
        "unquoted-names-in-a-flow-list",
        replace(
            "organisations.yaml",
            'alternate_names: ["Municipality of Milan", "City of Milan"]',
            "alternate_names: [Municipality of Milan, City of Milan]",
        ),
        "organisations.yaml",
        None,
        r"'Municipality of Milan' is unquoted in a \[\.\.\.\] list, where a comma would split",
    ),
    (
        "bad-language-tag",
        replace(
            "cities.yaml", "{name: Llundain, language: cy,", "{name: Llundain, language: Welsh,"
        ),
        "cities.yaml",
        "london",
        r"'Welsh' is not a BCP 47 language tag",
    ),
    (
        "fact-source-for-an-unknown-field",
        replace(
            "people.yaml",
            "  fact_sources:\n    name: [buenosaires",
            "  fact_sources:\n    mayor: [buenosaires",
        ),
        "people.yaml",
        "horacio-rodriguez-larreta",
        r"fact_sources: 'mayor' is not a field",
    ),
    (
        "fact-source-unknown",
        replace(
            "people.yaml", "    name: [buenosaires-gob-ciudades-2030]", "    name: [no-such-source]"
        ),
        "people.yaml",
        "horacio-rodriguez-larreta",
        r"unknown source 'no-such-source'",
    ),
    (
        "yaml-syntax",
        replace("cities.yaml", "  name: Milan\n", "  name: [Milan\n"),
        "cities.yaml",
        None,
        r"YAML syntax",
    ),
    (
        "unknown-field",
        replace("cities.yaml", "  name: Milan\n", "  name: Milan\n  mayor: X\n"),
        "cities.yaml",
        "milan",
        r"unknown field 'mayor'",
    ),
    (
        "missing-field",
        replace("cities.yaml", "  name_in_release: Milan\n", ""),
        "cities.yaml",
        "milan",
        r"missing required field 'name_in_release'",
    ),
    (
        "email-field",
        replace(
            "people.yaml",
            "  name: Jeff Merritt\n",
            "  name: Jeff Merritt\n  email: jeff@example.org\n",
        ),
        "people.yaml",
        "jeff-merritt",
        r"personal contact details are never published",
    ),
    (
        "phone-in-role",
        replace(
            "people.yaml",
            "role_as_written: Mayor of Istanbul",
            "role_as_written: Mayor of Istanbul, +90 212 455 0000",
        ),
        "people.yaml",
        "ekrem-imamoglu",
        r"personal contact details",
    ),
    (
        "bad-iso2",
        replace("countries.yaml", "iso2: IT", "iso2: It"),
        "countries.yaml",
        "italy",
        r"'iso2'.*not an ISO 3166-1 alpha-2",
    ),
    (
        "bad-slug",
        replace("cities.yaml", "- id: milan\n", "- id: Milan\n"),
        "cities.yaml",
        "Milan",
        r"not a slug",
    ),
    (
        "duplicate-id",
        replace("cities.yaml", "- id: moscow\n", "- id: milan\n"),
        "cities.yaml",
        "milan",
        r"duplicate city id 'milan'",
    ),
    (
        "unknown-country",
        replace("cities.yaml", "country: italy", "country: italia"),
        "cities.yaml",
        "milan",
        r"unknown country 'italia'",
    ),
    (
        "unknown-source",
        replace(
            "quotes.yaml", "sources: [wef-press-release-2020-11-17]", "sources: [a-press-release]"
        ),
        "quotes.yaml",
        "2020-11-17-koichi-akaishi",
        r"unknown source 'a-press-release'",
    ),
    (
        "latitude-out-of-range",
        replace("cities.yaml", "latitude: 45.46427", "latitude: 145.46427"),
        "cities.yaml",
        "milan",
        r"'latitude'.*outside \[-90, 90\]",
    ),
    (
        "latitude-not-a-number",
        replace("cities.yaml", "latitude: 45.46427", "latitude: north"),
        "cities.yaml",
        "milan",
        r"'latitude'.*not a decimal",
    ),
    (
        "bad-qid",
        replace("cities.yaml", "qid: Q490", "qid: P490"),
        "cities.yaml",
        "milan",
        r"not a Wikidata item id",
    ),
    (
        "verified-without-source",
        replace(
            "cities.yaml",
            "    qid: Q490\n    status: verified\n    source: natural-earth-50m-populated-places\n",
            "    qid: Q490\n    status: verified\n",
        ),
        "cities.yaml",
        "milan",
        r"verified link needs the source",
    ),
    (
        "repaired-without-copy",
        replace("quotes.yaml", "  repair_sources: [ukauthority-2020-11-20]\n", ""),
        "quotes.yaml",
        "2020-11-17-theo-blackwell",
        r"must name that copy",
    ),
    (
        "verbatim-with-repair",
        replace(
            "quotes.yaml",
            "position: 4\n  fidelity: verbatim\n",
            "position: 4\n  fidelity: verbatim\n  repair_sources: [ukauthority-2020-11-20]\n",
        ),
        "quotes.yaml",
        "2020-11-17-stephen-blackburn",
        r"verbatim quote has no 'repair_sources'",
    ),
    (
        "unknown-fidelity",
        replace(
            "quotes.yaml", "position: 4\n  fidelity: verbatim", "position: 4\n  fidelity: roughly"
        ),
        "quotes.yaml",
        "2020-11-17-stephen-blackburn",
        r"'fidelity': 'roughly' is not one of",
    ),
    (
        "csv-columns",
        replace("commitments.csv", "milan-2020,milan,", "milan-2020,milan,extra,"),
        "commitments.csv",
        None,
        r"wrong number of columns",
    ),
    (
        "csv-unknown-city",
        replace("commitments.csv", "milan-2020,milan,", "milan-2020,milano,"),
        "commitments.csv",
        "milan-2020",
        r"unknown city 'milano'",
    ),
    (
        "bad-date",
        replace("commitments.csv", "2020-11-17,pioneer", "17/11/2020,pioneer"),
        "commitments.csv",
        "apeldoorn-2020",
        r"'announced'.*not a date",
    ),
    (
        "not-a-list",
        replace("cities.yaml", "- id: apeldoorn\n", "apeldoorn:\n  id: apeldoorn\n"),
        "cities.yaml",
        None,
        r"YAML syntax|expected a list",
    ),
]


@pytest.mark.parametrize(
    ("damage", "file", "record", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_bad_record_is_reported_with_file_line_record_and_reason(
    data_copy: Path,
    damage: Callable[[Path], None],
    file: str,
    record: str | None,
    reason: str,
) -> None:
    damage(data_copy)
    with pytest.raises(SourceDataErrors) as caught:
        read_records(data_copy)
    matching = [e for e in caught.value.errors if re.search(reason, e.reason)]
    assert matching, f"no error matching {reason!r} in:\n{caught.value}"
    error = matching[0]
    assert error.location.file == file
    assert error.location.line >= 1
    if record is not None:
        assert error.location.record == record
        line = (data_copy / file).read_text(encoding="utf-8").splitlines()[error.location.line - 1]
        assert line in (f"- id: {record}",) or line.startswith(f"{record},"), line
    assert str(error).startswith(f"{file}:{error.location.line}")


def test_every_problem_is_reported_in_one_pass(data_copy: Path) -> None:
    replace("cities.yaml", "country: italy", "country: italia")(data_copy)
    replace("countries.yaml", "iso2: IT", "iso2: It")(data_copy)
    replace("people.yaml", "affiliation: arup", "affiliation: arupp")(data_copy)
    with pytest.raises(SourceDataErrors) as caught:
        read_records(data_copy)
    files = {error.location.file for error in caught.value.errors}
    assert files == {"cities.yaml", "countries.yaml", "people.yaml"}


def test_a_missing_data_file_is_named(data_copy: Path) -> None:
    (data_copy / "quotes.yaml").unlink()
    with pytest.raises(SourceDataErrors, match=r"missing data file .*quotes\.yaml"):
        read_records(data_copy)


def test_the_real_data_reads_without_errors(root: Path) -> None:
    records = read_records(root / "data")
    assert len(records.cities) == 36


def test_one_registry_of_record_kinds_drives_reading_and_building() -> None:
    """``model.KINDS`` is the one list; the reader, the builder and ``Records`` follow it."""
    import dataclasses

    from smartcity_graph import iris
    from smartcity_graph.graph.build import BUILDERS
    from smartcity_graph.graph.model import KINDS, Records
    from smartcity_graph.graph.sources import DATA_FILES, READERS

    fields = [kind.field for kind in KINDS]
    record_fields = [f.name for f in dataclasses.fields(Records)]
    assert record_fields == ["dataset", *fields, "files"]
    assert list(READERS) == fields
    assert list(BUILDERS) == fields
    assert ("dataset.yaml", *(kind.file for kind in KINDS)) == DATA_FILES
    assert {kind.iri_kind for kind in KINDS} <= set(iris.KINDS)
    for kind in KINDS:
        assert (Path(__file__).resolve().parent.parent / "data" / kind.file).is_file()
