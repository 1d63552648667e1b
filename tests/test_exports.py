"""Exports for integrators, each read by a real consumer: csvw, geojson, PyLD."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import csvw
import geojson
import pytest
from pyld import jsonld
from rdflib import Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from smartcity_graph.graph.exports import TABLES
from smartcity_graph.namespaces import DCTERMS, GEO, OWL, RDF, SCG, SCHEMA

CURIES = {"owl:": str(OWL), "rdf:": str(RDF), "dc:": str(DCTERMS)}  # CSVW prefixes


def offline_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    raise AssertionError(f"a JSON-LD processor tried to fetch {url}")


jsonld.set_document_loader(offline_loader)


@pytest.fixture(scope="module")
def graph(release_dir: Path) -> Graph:
    return Graph().parse(release_dir / "graph.nt", format="nt")


# -- CSV + CSVW ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def csvw_tables(release_dir: Path) -> dict[str, Any]:
    group = csvw.CSVW(str(release_dir / "csv-metadata.json"), validate=True)
    assert group.is_valid
    document = group.to_json()
    return {Path(t["url"]).name.split("#")[0]: t for t in document["tables"]}


def expand(key: str) -> str:
    for curie, namespace in CURIES.items():
        if key.startswith(curie):
            return namespace + key[len(curie) :]
    return key


@pytest.mark.parametrize("table", TABLES, ids=[t.name for t in TABLES])
def test_every_table_is_valid_csvw_and_its_rows_say_what_the_graph_says(
    table: Any, csvw_tables: dict[str, Any], graph: Graph, release_dir: Path
) -> None:
    rows = csvw_tables[f"{table.name}.csv"]["row"]
    subjects = set(graph.subjects(RDF.type, table.rdf_type))
    assert len(rows) == len(subjects)
    for row in rows:
        (described,) = row["describes"]
        subject = URIRef(described["@id"])
        assert subject in subjects
        for key, value in described.items():
            if key == "@id":
                continue
            predicate = URIRef(expand(key))
            values = value if isinstance(value, list) else [value]
            found = {str(o) for o in graph.objects(subject, predicate)}
            for item in values:
                text = str(item)
                if predicate in (GEO.lat, GEO.long):
                    assert any(Decimal(text) == Decimal(f) for f in found), (subject, key)
                else:
                    assert text in found, (subject, key, text, found)


def test_the_csv_tables_open_as_plain_csv(release_dir: Path) -> None:
    with (release_dir / "cities.csv").open(encoding="utf-8", newline="") as handle:
        cities = list(csv.DictReader(handle))
    assert len(cities) == 36
    bogota = next(row for row in cities if row["slug"] == "bogota")
    assert bogota["name"] == "Bogotá"
    assert bogota["country_name"] == "Colombia"
    assert bogota["wikidata"] == "http://www.wikidata.org/entity/Q2841"
    with (release_dir / "quotes.csv").open(encoding="utf-8", newline="") as handle:
        quotes = list(csv.DictReader(handle))
    assert [int(q["position"]) for q in quotes] == list(range(1, 16))
    assert all("\n" not in q["text"] for q in quotes)


def test_the_csvw_metadata_maps_rows_to_iris() -> None:
    for table in TABLES:
        assert table.columns[0].name == "slug"


# -- GeoJSON ---------------------------------------------------------------------------------------


def test_the_geojson_is_valid_and_matches_the_graph(release_dir: Path, graph: Graph) -> None:
    collection = geojson.loads((release_dir / "cities.geojson").read_text())
    assert collection.is_valid, collection.errors()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 36
    for feature in collection["features"]:
        city = URIRef(feature["id"])
        lon, lat = feature["geometry"]["coordinates"]
        assert Decimal(str(lon)) == Decimal(str(graph.value(city, GEO.long)))  # RFC 7946 order
        assert Decimal(str(lat)) == Decimal(str(graph.value(city, GEO.lat)))
        properties = feature["properties"]
        assert properties["name"] == str(graph.value(city, SCHEMA.name))
        country = graph.value(city, SCHEMA.containedInPlace)
        assert properties["country_iri"] == str(country)
        assert properties["country_iso2"] == str(graph.value(country, SCG.iso3166Alpha2))
        assert properties["wikidata_iri"] == str(graph.value(city, OWL.sameAs))


# -- Framed JSON-LD per city ----------------------------------------------------------------------


def expected_subgraph(graph: Graph, city: URIRef) -> Graph:
    """What a city's document must say: the city, its country, continent, commitment, and the
    organisations serving it with their people and quotes: every triple of each."""
    nodes = {city, graph.value(city, SCHEMA.containedInPlace), graph.value(city, SCG.continent)}
    nodes |= set(graph.subjects(SCG.committedCity, city))
    for org in graph.subjects(SCHEMA.areaServed, city):
        nodes.add(org)
        for person in graph.subjects(SCHEMA.affiliation, org):
            nodes.add(person)
            nodes |= set(graph.subjects(SCHEMA.spokenByCharacter, person))
    expected = Graph()
    for node in nodes:
        for triple in graph.triples((node, None, None)):
            expected.add(triple)
    return expected


def to_graph(document: Any) -> Graph:
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    return Graph().parse(data=nquads, format="nt")


@pytest.mark.parametrize("slug", ["milan", "leeds", "buenos-aires", "kampala", "belfast"])
def test_a_city_document_holds_exactly_its_part_of_the_graph(
    release_dir: Path, graph: Graph, slug: str
) -> None:
    city = URIRef(f"https://w3id.org/smartcity-graph/id/city/{slug}")
    document = json.loads((release_dir / f"city-{slug}.jsonld").read_text())
    assert isinstance(document["@context"], dict), "the context is inlined: no network needed"
    actual, expected = to_graph(document), expected_subgraph(graph, city)
    if not isomorphic(actual, expected):
        _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
        pytest.fail(f"missing {sorted(missing)[:5]}; extra {sorted(extra)[:5]}")


def test_a_city_with_a_quoted_speaker_nests_the_quote(release_dir: Path) -> None:
    document = json.loads((release_dir / "city-milan.jsonld").read_text())
    (organisation,) = document["organisations"]
    (person,) = organisation["people"]
    (quote,) = person["quotes"]
    assert quote["@id"].endswith("/quote/2020-11-17-roberta-cocco")
    assert document["country"]["@id"].endswith("/country/italy")
    assert document["commitment"][0]["@id"].endswith("/commitment/milan-2020")


def test_framing_with_the_published_frame_gives_the_same_graph(release_dir: Path) -> None:
    frame = json.loads((release_dir / "city-frame.jsonld").read_text())
    document = json.loads((release_dir / "city-leeds.jsonld").read_text())
    framed = jsonld.frame(document, frame)
    assert isomorphic(to_graph(framed), to_graph(document))


def test_every_city_has_a_document(release_dir: Path) -> None:
    assert len(list(release_dir.glob("city-*.jsonld"))) == 37  # 36 cities and the frame


def read_table(release_dir: Path, name: str) -> list[dict[str, str]]:
    with (release_dir / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("table", TABLES, ids=[t.name for t in TABLES])
def test_every_row_carries_its_own_iri(release_dir: Path, table: Any) -> None:
    for row in read_table(release_dir, table.name):
        assert row["iri"] == f"https://w3id.org/smartcity-graph/id/{table.kind}/{row['slug']}"
        if "wikidata" in row:
            expected = row["wikidata"].rsplit("/", 1)[-1] if row["wikidata"] else ""
            assert row["wikidata_id"] == expected


def test_short_codes_stand_beside_the_iris_a_reader_filters_on(
    release_dir: Path, graph: Graph
) -> None:
    milan = next(r for r in read_table(release_dir, "cities") if r["slug"] == "milan")
    assert milan["country_iso2"] == "IT"
    assert milan["continent_slug"] == "europe"
    assert milan["wikidata_id"] == "Q490"
    commitment = next(
        r for r in read_table(release_dir, "commitments") if r["slug"] == "milan-2020"
    )
    assert commitment["city_slug"] == "milan"
    quote = next(
        r for r in read_table(release_dir, "quotes") if r["speaker_slug"] == "jeff-merritt"
    )
    assert quote["speaker"].endswith("/person/jeff-merritt")
    person = next(r for r in read_table(release_dir, "people") if r["slug"] == "jeff-merritt")
    assert person["affiliation_slug"] == "world-economic-forum"
