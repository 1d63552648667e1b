"""The same resource in several views (W3C Content Negotiation by Profile), by header and by
parameter, on every kind of resource; each view parses and validates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyshacl import validate
from rdflib import Graph, URIRef

from smartcity_graph.graph import profiles
from smartcity_graph.namespaces import OWL, PROF, RDF, RDFS, SCHEMA, WDT
from smartcity_graph.query.dataset import from_release
from smartcity_graph.settings import Settings
from smartcity_graph.web import create_app

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = [
    "/id/city/milan",
    "/id/country/japan",
    "/id/continent/asia",
    "/id/organisation/belfast-city-council",
    "/id/person/emilia-saiz",
    "/id/quote/2020-11-17-theo-blackwell",
    "/id/commitment/kampala-2020",
    "/id/roadmap/g20-global-smart-cities-alliance-policy-roadmap",
    "/id/policy-area/open-city-data",
    "/id/event/pioneers-of-change-summit-2020",
    "/id/source/wef-press-release-2020-11-17",
]
VIEW_SHAPES = {
    "schema": ROOT / "shapes" / "profiles" / "schema-org-view.ttl",
    "wikidata": ROOT / "shapes" / "profiles" / "wikidata-view.ttl",
}


@pytest.fixture(scope="module")
def client(release_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), from_release(release_dir))) as test_client:
        yield test_client


def get_view(client: TestClient, path: str, profile: profiles.Profile, by: str) -> Graph:
    if by == "header":
        response = client.get(
            path, headers={"Accept": "text/turtle", "Accept-Profile": f"<{profile.iri}>"}
        )
    else:
        response = client.get(
            path, params={"_profile": profile.token}, headers={"Accept": "text/turtle"}
        )
    assert response.status_code == 200
    assert response.headers["content-profile"] == f"<{profile.iri}>"
    assert f'<{profile.iri}>; rel="profile"' in response.headers["link"]
    return Graph().parse(data=response.content, format="turtle")


def check_view(view_name: str, view: Graph) -> None:
    if view_name == "schema":
        for _, p, o in view:
            assert str(p).startswith(str(SCHEMA)) or (
                p == RDF.type and str(o).startswith(str(SCHEMA))
            ), p
    if view_name == "wikidata":
        allowed = {RDFS.label, OWL.sameAs}
        for _, p, _ in view:
            assert p in allowed or str(p).startswith(str(WDT)), p
    if view_name in VIEW_SHAPES:
        conforms, _, text = validate(view, shacl_graph=str(VIEW_SHAPES[view_name]))
        assert conforms, text


@pytest.mark.parametrize("by", ["header", "parameter"])
@pytest.mark.parametrize("profile", profiles.PROFILES, ids=[p.token for p in profiles.PROFILES])
@pytest.mark.parametrize("path", RESOURCES)
def test_every_profile_on_every_kind_of_resource(
    client: TestClient, path: str, profile: profiles.Profile, by: str
) -> None:
    view = get_view(client, path, profile, by)
    assert len(view) > 0
    check_view(profile.token, view)


def test_the_full_view_is_the_default(client: TestClient) -> None:
    plain = client.get("/id/city/milan", headers={"Accept": "text/turtle"})
    assert plain.headers["content-profile"] == f"<{profiles.DEFAULT.iri}>"
    full = get_view(client, "/id/city/milan", profiles.DEFAULT, "parameter")
    assert len(Graph().parse(data=plain.content, format="turtle")) == len(full)


def test_the_wikidata_view_uses_items_for_linked_things(client: TestClient) -> None:
    view = get_view(client, "/id/city/milan", profiles.BY_TOKEN["wikidata"], "parameter")
    milan = URIRef("https://w3id.org/smartcity-graph/id/city/milan")
    assert view.value(milan, WDT.P17) == URIRef("http://www.wikidata.org/entity/Q38")
    assert str(view.value(milan, WDT.P625)) == "Point(9.18951 45.46427)"
    country = get_view(client, "/id/country/japan", profiles.BY_TOKEN["wikidata"], "header")
    japan = URIRef("https://w3id.org/smartcity-graph/id/country/japan")
    assert str(country.value(japan, WDT.P297)) == "JP"
    assert str(country.value(japan, WDT.P298)) == "JPN"


def test_q_values_in_accept_profile_are_honoured(client: TestClient) -> None:
    header = (
        f"<{profiles.BY_TOKEN['schema'].iri}>;q=0.4, "
        f"<{profiles.BY_TOKEN['wikidata'].iri}>;q=0.9, <urn:x:unknown>"
    )
    response = client.get(
        "/id/city/milan", headers={"Accept": "text/turtle", "Accept-Profile": header}
    )
    assert response.headers["content-profile"] == f"<{profiles.BY_TOKEN['wikidata'].iri}>"


def test_an_unknown_profile_falls_back_to_the_default_and_says_so(client: TestClient) -> None:
    response = client.get(
        "/id/city/milan", headers={"Accept": "text/turtle", "Accept-Profile": "<urn:x:unknown>"}
    )
    assert response.status_code == 200
    assert response.headers["content-profile"] == f"<{profiles.DEFAULT.iri}>"


def test_mediatype_parameter_picks_the_format(client: TestClient) -> None:
    response = client.get(
        "/id/city/milan", params={"_profile": "schema", "_mediatype": "application/ld+json"}
    )
    assert response.headers["content-type"].startswith("application/ld+json")
    Graph().parse(data=response.content, format="json-ld")


def test_alt_lists_every_profile_and_format(client: TestClient) -> None:
    response = client.get(
        "/id/city/milan", params={"_profile": "alt"}, headers={"Accept": "text/turtle"}
    )
    assert response.headers["content-profile"] == f"<{profiles.ALTERNATES}>"
    listing = Graph().parse(data=response.content, format="turtle")
    assert set(listing.subjects(RDF.type, PROF.Profile)) == {p.iri for p in profiles.PROFILES}
    offered = set(
        listing.objects(
            URIRef("https://w3id.org/smartcity-graph/id/city/milan"),
            URIRef("http://purl.org/dc/terms/hasFormat"),
        )
    )
    assert len(offered) == len(profiles.PROFILES) * 5
    page = client.get(
        "/id/city/milan", params={"_profile": "alt"}, headers={"Accept": "text/html"}
    ).text
    for profile in profiles.PROFILES:
        assert f"_profile={profile.token}" in page
    by_header = client.get(
        "/id/city/milan",
        headers={"Accept": "text/turtle", "Accept-Profile": f"<{profiles.ALTERNATES}>"},
    )
    assert by_header.headers["content-profile"] == f"<{profiles.ALTERNATES}>"


def test_link_headers_list_the_profiles(client: TestClient) -> None:
    links = client.get("/id/city/milan", headers={"Accept": "text/turtle"}).headers["link"]
    for profile in profiles.PROFILES:
        assert re.search(
            rf'_profile={profile.token}>; rel="alternate"; profile="{profile.iri}"', links
        )


def test_the_release_describes_each_profile(release_dir: Path, client: TestClient) -> None:
    void = Graph().parse(release_dir / "void.ttl")
    described = {str(void.value(p, PROF.hasToken)) for p in void.subjects(RDF.type, PROF.Profile)}
    assert described == set(profiles.BY_TOKEN)
    for profile in profiles.PROFILES:
        response = client.get(
            str(profile.iri).replace("https://w3id.org/smartcity-graph", ""),
            headers={"Accept": "text/turtle"},
        )
        assert response.status_code == 200


def test_every_alternate_link_works(client: TestClient) -> None:
    listing = client.get(
        "/id/city/milan", params={"_profile": "alt"}, headers={"Accept": "text/turtle"}
    )
    graph = Graph().parse(data=listing.content, format="turtle")
    links = set(
        graph.objects(
            URIRef("https://w3id.org/smartcity-graph/id/city/milan"),
            URIRef("http://purl.org/dc/terms/hasFormat"),
        )
    )
    for link in links:
        assert client.get(str(link)).status_code == 200, link


def test_the_wikidata_view_states_a_quote_on_its_speaker_not_as_authorship(
    client: TestClient,
) -> None:
    """A spoken quote has a speaker, not an author: P1683 (quotation) on the speaker, no P50."""
    wikidata = profiles.BY_TOKEN["wikidata"]
    view = get_view(client, "/id/quote/2020-11-17-jeff-merritt", wikidata, "header")
    speaker = URIRef("https://w3id.org/smartcity-graph/id/person/jeff-merritt")
    quotations = list(view.objects(speaker, WDT.P1683))
    assert len(quotations) == 1
    assert str(quotations[0]).startswith("This roadmap is not about theoretical ideas")
    assert not list(view.triples((None, WDT.P50, None)))
