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
