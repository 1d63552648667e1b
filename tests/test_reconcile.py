"""/reconcile: the W3C Entity Reconciliation API as OpenRefine uses it, with matches to trust."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartcity_graph.graph.sources import read_records
from smartcity_graph.query.dataset import from_release
from smartcity_graph.settings import Settings
from smartcity_graph.web import create_app

ROOT = Path(__file__).resolve().parent.parent
CITIES = read_records(ROOT / "data").cities


@pytest.fixture(scope="module")
def client(release_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), from_release(release_dir))) as test_client:
        yield test_client


def batch(client: TestClient, queries: dict[str, Any], how: str = "form") -> dict[str, Any]:
    if how == "form":
        response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    elif how == "json":
        response = client.post("/reconcile", json={"queries": queries})
    else:
        response = client.get("/reconcile", params={"queries": json.dumps(queries)})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def top(result: dict[str, Any]) -> dict[str, Any]:
    candidates = result["result"]
    assert candidates, "no candidate"
    first: dict[str, Any] = candidates[0]
    return first


# -- Every city, by its name and by another name or spelling --------------------------------------


@pytest.mark.parametrize("city", CITIES, ids=[c.id for c in CITIES])
def test_every_city_is_found_by_name_and_by_another_spelling(client: TestClient, city: Any) -> None:
    other = next(
        n.text for n in city.alternate_names if n.text != city.name
    )  # "Brasilia" counts too
    result = batch(
        client,
        {
            "q0": {"query": city.name, "type": "City"},
            "q1": {"query": other, "type": "City"},
            "q2": {"query": city.name},
        },
    )
    for key in ("q0", "q1", "q2"):
        best = top(result[key])
        assert best["id"] == f"city/{city.id}", (key, best)
        assert best["match"] is True, (key, best)
        assert best["score"] == 100


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Bogota", "city/bogota"),
        ("Medellin", "city/medellin"),
        ("Durban", "city/durban"),
        ("Bangalore", "city/bengaluru"),
        ("MEXICO CITY", "city/mexico-city"),
        ("  san   jose ", "city/san-jose"),
        ("Istanbul", "city/istanbul"),
        ("eThekweni", "city/durban"),
        ("Cordoba", "city/cordoba"),
        ("Sao Paulo", None),
    ],
)
def test_diacritics_case_spacing_and_aliases_do_not_matter(
    client: TestClient, query: str, expected: str | None
) -> None:
    candidates = batch(client, {"q": {"query": query, "type": "City"}})["q"]["result"]
    if expected is None:
        assert not any(c["match"] for c in candidates)
    else:
        assert candidates[0]["id"] == expected
        assert candidates[0]["match"] is True


def test_a_near_miss_scores_below_100_and_is_not_a_match(client: TestClient) -> None:
    best = top(batch(client, {"q": {"query": "Karlsrue", "type": "City"}})["q"])
    assert best["id"] == "city/karlsruhe"
    assert best["match"] is False
    assert 60 < best["score"] < 100


# -- Types, properties, limits -------------------------------------------------------------------


def test_types_filter_candidates(client: TestClient) -> None:
    countries = batch(client, {"q": {"query": "Mexico", "type": "Country"}})["q"]["result"]
    assert countries[0]["id"] == "country/mexico"
    assert all(c["type"][0]["id"] == "Country" for c in countries)
    people = batch(client, {"q": {"query": "Ekrem Imamoglu", "type": "Person"}})["q"]
    assert top(people)["id"] == "person/ekrem-imamoglu"
    assert top(people)["match"] is True


@pytest.mark.parametrize(
    "value",
    [
        "Italy",
        "IT",
        "ITA",
        "Q38",
        {"id": "Q38", "name": "Italy"},
        "https://w3id.org/smartcity-graph/id/country/italy",
    ],
)
def test_a_country_constraint_confirms_a_match(client: TestClient, value: Any) -> None:
    query = {"query": "Milan", "type": "City", "properties": [{"pid": "P17", "v": value}]}
    best = top(batch(client, {"q": query})["q"])
    assert best["id"] == "city/milan"
    assert best["match"] is True


def test_a_contradicting_constraint_prevents_a_match(client: TestClient) -> None:
    query = {
        "query": "Newcastle",
        "type": "City",
        "properties": [{"pid": "country", "v": "United Kingdom"}],
    }
    best = top(batch(client, {"q": query})["q"])
    assert best["id"] == "city/newcastle"  # Newcastle, New South Wales: the only Newcastle here
    assert best["match"] is False
    assert best["score"] < 100


def test_limit_is_honoured(client: TestClient) -> None:
    result = batch(client, {"q": {"query": "an", "limit": 2}})["q"]["result"]
    assert len(result) <= 2


# -- The three ways OpenRefine and others send queries --------------------------------------


@pytest.mark.parametrize("how", ["form", "json", "get"])
def test_form_field_json_body_and_query_string_all_work(client: TestClient, how: str) -> None:
    result = batch(client, {"q0": {"query": "Kampala"}, "q1": {"query": "Uganda"}}, how)
    assert top(result["q0"])["id"] == "city/kampala"
    assert top(result["q1"])["id"] == "country/uganda"


def test_jsonp_callback_for_old_clients(client: TestClient) -> None:
    response = client.get("/reconcile", params={"callback": "jQuery123_456"})
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.text.startswith("/**/jQuery123_456(")
    bad = client.get("/reconcile", params={"callback": "alert(1);//"})
    assert bad.status_code == 400


@pytest.mark.parametrize("body", ["not json", json.dumps([1, 2]), json.dumps({})])
def test_a_batch_that_is_not_a_batch_gets_a_400_with_a_reason(
    client: TestClient, body: str
) -> None:
    response = client.post("/reconcile", data={"queries": body})
    assert response.status_code == 400
    assert response.text.strip()


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"type": "City"}, "'query' string"),
        ({"query": "x", "limit": -1}, "'limit'"),
        ({"query": "x", "type": "Spaceship"}, "unknown type 'Spaceship'"),
        ("Milan", "must be an object"),
    ],
)
def test_a_bad_query_gets_its_own_error_and_the_rest_are_answered(
    client: TestClient, bad: Any, reason: str
) -> None:
    answers = batch(client, {"good": {"query": "Milan", "type": "City"}, "bad": bad})
    assert top(answers["good"])["name"] == "Milan"
    assert answers["bad"]["result"] == []
    assert reason in answers["bad"]["error"]["message"]


def test_descriptions_use_labels_never_ids(client: TestClient) -> None:
    answers = batch(client, {f"q{i}": {"query": c.name} for i, c in enumerate(CITIES)})
    for answer in answers.values():
        description = top(answer)["description"]
        assert not re.search(r"\bQ[0-9]+\b|https?://", description), description
    belfast = batch(client, {"q": {"query": "Belfast", "type": "City"}})["q"]
    assert top(belfast)["description"] == "City in United Kingdom"


def test_suggest_honours_the_type(client: TestClient) -> None:
    every = client.get("/reconcile/suggest/entity", params={"prefix": "Ma"}).json()["result"]
    assert {r["notable"][0]["id"] for r in every} > {"City"}
    cities = client.get(
        "/reconcile/suggest/entity", params={"prefix": "Ma", "type": "City"}
    ).json()["result"]
    assert cities
    assert {r["notable"][0]["id"] for r in cities} == {"City"}
    by_iri = client.get(
        "/reconcile/suggest/entity", params={"prefix": "Ma", "type": "https://schema.org/City"}
    ).json()["result"]
    assert by_iri == cities
    unknown = client.get("/reconcile/suggest/entity", params={"prefix": "Ma", "type": "Ship"})
    assert unknown.status_code == 400


# -- Manifest, preview, suggest --------------------------------------------------------------------


def test_the_manifest_names_its_spaces_and_services(client: TestClient) -> None:
    manifest = client.get("/reconcile").json()
    assert manifest["identifierSpace"] == "https://w3id.org/smartcity-graph/id/"
    assert manifest["schemaSpace"] == "https://schema.org/"
    assert {t["id"] for t in manifest["defaultTypes"]} == {
        "City",
        "Country",
        "Organization",
        "Person",
    }
    assert manifest["view"]["url"].endswith("id/{{id}}")
    for kind in ("entity", "type", "property"):
        assert manifest["suggest"][kind]["service_path"].startswith("/reconcile/suggest/")


def test_view_and_preview_urls_resolve(client: TestClient) -> None:
    manifest = client.get("/reconcile").json()
    view = manifest["view"]["url"].replace("{{id}}", "city/leeds")
    assert client.get(view, headers={"Accept": "text/html"}).status_code == 200
    preview = client.get(manifest["preview"]["url"].replace("{{id}}", "city/leeds"))
    assert preview.status_code == 200
    assert "Leeds" in preview.text
    assert client.get("/reconcile/preview", params={"id": "city/atlantis"}).status_code == 404


def test_the_preview_can_be_framed_by_openrefine_and_runs_no_script(client: TestClient) -> None:
    preview = client.get("/reconcile/preview", params={"id": "city/bogota"})
    policy = preview.headers["content-security-policy"]
    assert "frame-ancestors *" in policy
    assert "default-src 'none'" in policy
    assert "<script" not in preview.text
    page = client.get("/id/city/bogota", headers={"Accept": "text/html"})
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_suggest_entities_types_and_properties(client: TestClient) -> None:
    entities = client.get("/reconcile/suggest/entity", params={"prefix": "bog"}).json()["result"]
    assert entities[0]["id"] == "city/bogota"
    types = client.get("/reconcile/suggest/type", params={"prefix": "co"}).json()["result"]
    assert {"id": "Country", "name": "Country"} in types
    props = client.get("/reconcile/suggest/property", params={"prefix": "coun"}).json()["result"]
    assert props[0]["id"] == "containedInPlace"
    flyout = client.get("/reconcile/flyout/entity", params={"id": "city/bogota"}).json()
    assert flyout["id"] == "city/bogota"
    assert "Bogotá" in flyout["html"]


def test_batches_and_bodies_are_bounded(client: TestClient) -> None:
    too_many = {f"q{i}": {"query": "Leeds"} for i in range(101)}
    assert client.post("/reconcile", json={"queries": too_many}).status_code == 413
    huge = {"queries": json.dumps({"q0": {"query": "x" * 300_000}})}
    assert client.post("/reconcile", data=huge).status_code == 413
