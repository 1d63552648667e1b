"""Every /reconcile response validates against the specification's own JSON Schemas (0.2).

The schemas are vendored unchanged in ``tests/reconciliation_schemas/0.2/`` (see its README);
their relative references (``type.json``) resolve locally, never over the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from smartcity_graph.graph.sources import read_records
from smartcity_graph.query.dataset import from_release
from smartcity_graph.settings import Settings
from smartcity_graph.web import create_app

SCHEMAS = Path(__file__).parent / "reconciliation_schemas" / "0.2"
BASE = "https://reconciliation-api.github.io/specs/0.2/schemas/"


def _load() -> tuple[dict[str, Any], Registry]:
    documents = {p.name: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    registry: Registry = Registry()
    for name, doc in documents.items():
        registry = registry.with_resource(BASE + name, Resource.opaque(doc))
    return documents, registry


DOCUMENTS, REGISTRY = _load()


def validate(schema: str, instance: Any) -> None:
    validator = Draft7Validator(DOCUMENTS[schema], registry=REGISTRY)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


@pytest.fixture(scope="module")
def client(release_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), from_release(release_dir))) as test_client:
        yield test_client


def test_the_schemas_catch_a_bad_response() -> None:
    with pytest.raises(AssertionError):
        validate("reconciliation-result-batch.json", {"q0": {"result": [{"id": "x"}]}})
    with pytest.raises(AssertionError):
        validate("manifest.json", {"name": "no spaces", "versions": ["0.2"]})
    manifest = {
        "name": "x",
        "versions": ["0.2"],
        "identifierSpace": "a",
        "schemaSpace": "b",
        "defaultTypes": [{"id": "City"}],
    }  # a type without a name, via type.json
    with pytest.raises(AssertionError):
        validate("manifest.json", manifest)


def test_the_manifest_validates(client: TestClient) -> None:
    validate("manifest.json", client.get("/reconcile").json())


def test_every_query_batch_we_send_validates_and_so_does_the_answer(client: TestClient) -> None:
    cities = read_records(Path(__file__).resolve().parent.parent / "data").cities
    queries = {
        f"q{i}": {
            "query": city.name,
            "type": "City",
            "limit": 3,
            "properties": [{"pid": "P17", "v": city.country}],
        }
        for i, city in enumerate(cities)
    }
    validate("reconciliation-query-batch.json", queries)
    answer = client.post("/reconcile", data={"queries": json.dumps(queries)}).json()
    validate("reconciliation-result-batch.json", answer)
    assert set(answer) == set(queries)


@pytest.mark.parametrize("query", ["Leeds", "Bangalore", "nothing like this", "Ekrem", "G20"])
def test_single_answers_validate(client: TestClient, query: str) -> None:
    answer = client.get("/reconcile", params={"queries": json.dumps({"q": {"query": query}})})
    validate("reconciliation-result-batch.json", answer.json())


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        ("/reconcile/suggest/entity?prefix=me", "suggest-entities-response.json"),
        ("/reconcile/suggest/entity?prefix=zzzz", "suggest-entities-response.json"),
        ("/reconcile/suggest/type?prefix=", "suggest-types-response.json"),
        ("/reconcile/suggest/type?prefix=per", "suggest-types-response.json"),
        ("/reconcile/suggest/property?prefix=", "suggest-properties-response.json"),
        ("/reconcile/suggest/property?prefix=iso", "suggest-properties-response.json"),
    ],
)
def test_suggest_answers_validate(client: TestClient, path: str, schema: str) -> None:
    validate(schema, client.get(path).json())


# -- Data extension ------------------------------------------------------------------------------


@pytest.mark.parametrize("type_id", ["City", "Country", "Organization", "Person"])
def test_proposed_properties_validate(client: TestClient, type_id: str) -> None:
    response = client.get("/reconcile/propose_properties", params={"type": type_id})
    assert response.status_code == 200
    validate("data-extension-property-proposal.json", response.json())
    assert response.json()["type"] == type_id


def test_a_city_column_is_extended_with_its_facts(client: TestClient) -> None:
    query = {
        "ids": ["city/milan", "city/medellin", "city/no-such-city"],
        "properties": [
            {"id": p}
            for p in (
                "country",
                "country_iso2",
                "country_iso3",
                "continent",
                "latitude",
                "longitude",
                "geonames_id",
                "wikidata",
                "policy_areas",
            )
        ],
    }
    validate("data-extension-query.json", query)
    response = client.post("/reconcile", data={"extend": json.dumps(query)})
    assert response.status_code == 200
    answer = response.json()
    validate("data-extension-response.json", answer)
    milan = answer["rows"]["city/milan"]
    assert milan["country"] == [{"id": "country/italy", "name": "Italy"}]
    assert milan["country_iso2"] == [{"str": "IT"}]
    assert milan["country_iso3"] == [{"str": "ITA"}]
    assert milan["continent"] == [{"id": "continent/europe", "name": "Europe"}]
    assert milan["wikidata"] == [{"str": "Q490"}]
    assert isinstance(milan["latitude"][0]["float"], float)
    assert len(milan["policy_areas"]) == 5
    assert answer["rows"]["city/no-such-city"]["country"] == []
    meta = {m["id"]: m for m in answer["meta"]}
    assert meta["country"]["type"] == {"id": "Country", "name": "Country"}


def test_the_other_types_extend_too(client: TestClient) -> None:
    query = {
        "ids": ["country/japan", "person/jeff-merritt", "organisation/world-economic-forum"],
        "properties": [{"id": "iso2"}, {"id": "cities"}, {"id": "affiliation"}, {"id": "url"}],
    }
    answer = client.get("/reconcile", params={"extend": json.dumps(query)}).json()
    validate("data-extension-response.json", answer)
    japan = answer["rows"]["country/japan"]
    assert japan["iso2"] == [{"str": "JP"}]
    assert {c["id"] for c in japan["cities"]} == {
        "city/hamamatsu",
        "city/kaga",
        "city/kakogawa",
        "city/maebashi",
    }
    assert answer["rows"]["person/jeff-merritt"]["affiliation"] == [
        {"id": "organisation/world-economic-forum", "name": "World Economic Forum"}
    ]
    assert answer["rows"]["organisation/world-economic-forum"]["url"] == [
        {"str": "https://www.weforum.org/"}
    ]


def test_an_unknown_extension_property_is_a_400_that_says_so(client: TestClient) -> None:
    query = {"ids": ["city/milan"], "properties": [{"id": "mayor"}]}
    response = client.post("/reconcile", data={"extend": json.dumps(query)})
    assert response.status_code == 400
    assert "unknown property 'mayor'" in response.text


def test_the_manifest_offers_data_extension(client: TestClient) -> None:
    manifest = client.get("/reconcile").json()
    assert manifest["extend"]["propose_properties"]["service_path"] == (
        "/reconcile/propose_properties"
    )
