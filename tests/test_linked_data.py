"""Every IRI dereferences: HTML for people, RDF by Accept or suffix, with LD headers."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef

from smartcity_graph.namespaces import RDF, SCHEMA
from smartcity_graph.query.dataset import from_files, from_release
from smartcity_graph.settings import Settings
from smartcity_graph.web import create_app

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_MEDIA = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
SUFFIX = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "html": "text/html",
}
MILAN = URIRef("https://w3id.org/smartcity-graph/id/city/milan")


@pytest.fixture(scope="module")
def client(release_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), from_release(release_dir))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def graph(release_dir: Path) -> Graph:
    return Graph().parse(release_dir / "graph.nt", format="nt")


def local(iri: str) -> str:
    return iri.replace("https://w3id.org/smartcity-graph", "")


# -- Content negotiation ---------------------------------------------------------------------


@pytest.mark.parametrize("media", sorted(RDF_MEDIA))
def test_a_city_in_every_rdf_format_by_accept(client: TestClient, media: str) -> None:
    response = client.get("/id/city/milan", headers={"Accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in [v.strip() for v in response.headers["vary"].split(",")]
    description = Graph().parse(data=response.content, format=RDF_MEDIA[media])
    assert (MILAN, RDF.type, SCHEMA.City) in description
    assert (MILAN, SCHEMA.name, Literal("Milan", lang="en")) in description


@pytest.mark.parametrize("suffix", sorted(SUFFIX))
def test_a_suffix_picks_the_format_whatever_the_accept_header(
    client: TestClient, suffix: str
) -> None:
    response = client.get(f"/id/city/milan.{suffix}", headers={"Accept": "image/png"})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == SUFFIX[suffix]


def test_browsers_get_html(client: TestClient) -> None:
    response = client.get("/id/city/milan", headers={"Accept": BROWSER})
    assert response.headers["content-type"].startswith("text/html")


def test_link_headers_name_every_alternate(client: TestClient) -> None:
    links = client.get("/id/city/milan", headers={"Accept": "text/turtle"}).headers["link"]
    for suffix, media in SUFFIX.items():
        assert f'/id/city/milan.{suffix}>; rel="alternate"; type="{media}"' in links


def test_every_resource_of_every_kind_dereferences(client: TestClient, graph: Graph) -> None:
    subjects = sorted({str(s) for s in graph.subjects() if str(s).startswith("https://w3id.org/")})
    assert len(subjects) > 200
    for iri in subjects:
        response = client.get(local(iri), headers={"Accept": "application/n-triples"})
        assert response.status_code == 200, iri
        assert f"<{iri}>" in response.text


@pytest.mark.parametrize("path", ["/def/RoadmapCommitment", "/def/textFidelity", "/def"])
def test_ontology_terms_dereference(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    described = Graph().parse(data=response.content, format="turtle")
    assert (None, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None) in described
    assert client.get(path, headers={"Accept": BROWSER}).status_code == 200


def test_the_dataset_and_well_known_void(client: TestClient) -> None:
    for path in ("/.well-known/void", "/id/dataset/smartcity-graph"):
        response = client.get(path, headers={"Accept": "text/turtle"})
        assert response.status_code == 200
        described = Graph().parse(data=response.content, format="turtle")
        dataset = URIRef("https://w3id.org/smartcity-graph/id/dataset/smartcity-graph")
        assert (dataset, RDF.type, URIRef("http://rdfs.org/ns/void#Dataset")) in described


# -- Unknown things --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/id/city/atlantis",
        "/id/town/milan",
        "/id/city/Milan",
        "/id/city/milan.exe",
        "/def/NoSuchTerm",
        "/nothing/here",
        "/id/city/milan%20x",
    ],
)
def test_unknown_iris_are_404_with_a_page_for_browsers(client: TestClient, path: str) -> None:
    page = client.get(path, headers={"Accept": BROWSER})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Not Found" in page.text
    plain = client.get(path, headers={"Accept": "text/turtle"})
    assert plain.status_code == 404
    assert plain.headers["content-type"].startswith("text/plain")


# -- HTML pages ---------------------------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.script_bodies: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
        if tag == "script":
            self.scripts.append(values)
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_bodies.append(data)


def parse_page(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def test_a_city_page_shows_labels_sources_wikidata_and_incoming_links(client: TestClient) -> None:
    html = client.get("/id/city/milan", headers={"Accept": BROWSER}).text
    page = parse_page(html)
    assert "<h1>Milan</h1>" in html
    assert '<a href="http://testserver/id/country/italy">Italy</a>' in html  # a label, not an IRI
    assert "http://www.wikidata.org/entity/Q490" in page.hrefs
    assert '<h2 id="sources">Sources</h2>' in html
    assert "Linked from" in html
    assert "http://testserver/id/commitment/milan-2020" in page.hrefs


def test_pages_embed_schema_org_json_ld_and_no_other_script(client: TestClient) -> None:
    page = parse_page(client.get("/id/city/milan", headers={"Accept": BROWSER}).text)
    assert [s.get("type") for s in page.scripts] == ["application/ld+json"]
    embedded = json.loads("".join(page.script_bodies))
    assert embedded["@id"] == str(MILAN)
    assert "City" in embedded["@type"]
    assert embedded["@context"] == {"@vocab": "https://schema.org/"}


def test_pages_forbid_inline_and_foreign_scripts(client: TestClient) -> None:
    response = client.get("/id/city/milan", headers={"Accept": BROWSER})
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_base_iri_maps_to_the_public_base_url(release_dir: Path) -> None:
    settings = Settings(public_base_url="https://graph.example.org/smartcity/")
    with TestClient(create_app(settings, from_release(release_dir))) as mapped:
        page = parse_page(mapped.get("/id/city/milan", headers={"Accept": BROWSER}).text)
        assert "https://graph.example.org/smartcity/id/country/italy" in page.hrefs
        links = mapped.get("/id/city/milan", headers={"Accept": "text/turtle"}).headers["link"]
        assert "<https://graph.example.org/smartcity/id/city/milan.ttl>" in links


def test_hostile_data_cannot_inject_script_or_links(tmp_path: Path) -> None:
    evil = tmp_path / "evil.ttl"
    evil.write_text(
        "<https://w3id.org/smartcity-graph/id/city/evil> a <https://schema.org/City> ;\n"
        '  <http://www.w3.org/2000/01/rdf-schema#label> "<script>alert(1)</script>" ;\n'
        '  <https://schema.org/name> "</script><script>alert(2)</script>" ;\n'
        "  <https://schema.org/url> <javascript:alert(3)> .\n"
    )
    with TestClient(create_app(Settings(), from_files([evil], []))) as hostile:
        html = hostile.get("/id/city/evil", headers={"Accept": BROWSER}).text
    page = parse_page(html)
    assert [s.get("type") for s in page.scripts] == ["application/ld+json"]
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not any(href.lower().startswith("javascript:") for href in page.hrefs)
    assert "</script><script>" not in "".join(page.script_bodies)


@pytest.mark.slow
def test_a_crawler_finds_no_broken_internal_link(client: TestClient) -> None:
    """Follow every same-site link from the landing page, breadth first, up to 400 pages."""
    seen: set[str] = set()
    queue = ["http://testserver/"]
    while queue and len(seen) < 400:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, headers={"Accept": BROWSER})
        assert response.status_code == 200, url
        if not response.headers["content-type"].startswith("text/html"):
            continue
        for href in parse_page(response.text).hrefs:
            target = urljoin(url, href).split("#")[0]
            if urlparse(target).netloc == "testserver" and target not in seen:
                queue.append(target)
    assert len(seen) > 100


# -- Downloads ----------------------------------------------------------------------------------


def test_the_landing_page_lists_every_file_with_size_and_checksum(
    client: TestClient, release_dir: Path
) -> None:
    html = client.get("/", headers={"Accept": BROWSER}).text
    manifest = json.loads((release_dir / "manifest.json").read_text())
    for entry in manifest["files"]:
        assert f'href="http://testserver/release/{entry["path"]}"' in html
        assert entry["sha256"] in html
        assert f'<data value="{entry["bytes"]}">' in html


def test_downloads_have_etag_length_and_last_modified(
    client: TestClient, release_dir: Path
) -> None:
    response = client.get("/release/graph.ttl", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.content == (release_dir / "graph.ttl").read_bytes()
    assert response.headers["content-length"] == str(len(response.content))
    manifest = {
        e["path"]: e for e in json.loads((release_dir / "manifest.json").read_text())["files"]
    }
    assert response.headers["etag"] == f'"{manifest["graph.ttl"]["sha256"]}"'
    assert re.match(
        r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT", response.headers["last-modified"]
    )


def test_conditional_get_answers_304(client: TestClient) -> None:
    first = client.get("/release/graph.nt", headers={"Accept-Encoding": "identity"})
    again = client.get(
        "/release/graph.nt",
        headers={"If-None-Match": first.headers["etag"], "Accept-Encoding": "identity"},
    )
    assert again.status_code == 304
    assert again.content == b""
    since = client.get(
        "/release/graph.nt",
        headers={
            "If-Modified-Since": first.headers["last-modified"],
            "Accept-Encoding": "identity",
        },
    )
    assert since.status_code == 304
    changed = client.get(
        "/release/graph.nt", headers={"If-None-Match": '"other"', "Accept-Encoding": "identity"}
    )
    assert changed.status_code == 200


def test_gzip_when_accepted(client: TestClient, release_dir: Path) -> None:
    response = client.get("/release/graph.nt", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"].startswith("Accept-Encoding")
    raw = client.get(
        "/release/graph.nt",
        headers={"Accept-Encoding": "gzip"},
    )
    assert raw.content == (release_dir / "graph.nt").read_bytes()  # the client decoded it
    assert int(response.headers["content-length"]) < len(raw.content)
    assert gzip.decompress(gzip.compress(raw.content)) == raw.content


def test_head_gives_headers_without_a_body(client: TestClient) -> None:
    response = client.head("/release/void.ttl", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0


@pytest.mark.parametrize(
    "path",
    [
        "/release/../pyproject.toml",
        "/release/..%2f..%2fetc%2fpasswd",
        "/release/%2e%2e/README.md",
        "/release/manifest.json/../graph.ttl",
        "/release/nothing.ttl",
        "/release/.graph.ttl.tmp",
    ],
)
def test_nothing_outside_the_release_is_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404 or "root:" not in response.text
    assert response.status_code in (404, 200)
    if response.status_code == 200:
        assert urlparse(str(response.url)).path.startswith("/release/")


def test_health_answers_once_loaded(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize("header", ["gzip;q=0", "identity", "br", "*;q=0"])
def test_gzip_only_when_accepted_with_a_positive_q(client: TestClient, header: str) -> None:
    response = client.get("/release/graph.nt", headers={"Accept-Encoding": header})
    assert "content-encoding" not in response.headers


@pytest.mark.parametrize("path", ["/", "/id/city/milan", "/def", "/def/textFidelity", "/sparql"])
def test_head_answers_like_get_without_a_body(client: TestClient, path: str) -> None:
    response = client.head(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.content == b""


def test_method_not_allowed_names_what_is(client: TestClient) -> None:
    response = client.put("/id/city/milan")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


# -- A thing is not its document ---------------------------------------------------------------

THINGS = [
    "/id/city/milan",
    "/id/country/japan",
    "/id/person/jeff-merritt",
    "/id/organisation/world-economic-forum",
    "/id/quote/2020-11-17-jeff-merritt",
    "/id/commitment/milan-2020",
    "/id/source/wef-press-release-2020-11-17",
    "/id/policy-area/privacy-protection",
    "/id/dataset/smartcity-graph",
    "/def/RoadmapCommitment",
    "/def",
]


@pytest.mark.parametrize("path", THINGS)
@pytest.mark.parametrize("media", sorted(RDF_MEDIA))
def test_the_answer_at_a_things_iri_names_its_document(
    client: TestClient, path: str, media: str
) -> None:
    """200 with ``Content-Location`` (the document sent), ``Link: rel="describedby"``, and the
    document saying ``foaf:primaryTopic`` of the thing (not: the thing is the document)."""
    response = client.get(path, headers={"Accept": media})
    assert response.status_code == 200
    extension = next(ext for ext, m in SUFFIX.items() if m == media)
    document = f"{path}.{extension}"
    assert urlparse(response.headers["content-location"]).path == document
    assert f'{document}>; rel="describedby"' in response.headers["link"]
    body = Graph().parse(data=response.content, format=RDF_MEDIA[media])
    thing = URIRef("https://w3id.org/smartcity-graph" + path)
    topic = URIRef("http://xmlns.com/foaf/0.1/primaryTopic")
    assert (URIRef(f"{thing}.{extension}"), topic, thing) in body


def test_a_document_url_names_itself_without_linking_to_itself(client: TestClient) -> None:
    response = client.get("/id/city/milan.ttl")
    assert urlparse(response.headers["content-location"]).path == "/id/city/milan.ttl"
    assert 'rel="describedby"' not in response.headers["link"]


def test_the_html_page_names_its_document_too(client: TestClient) -> None:
    response = client.get("/id/city/milan", headers={"Accept": BROWSER})
    assert urlparse(response.headers["content-location"]).path == "/id/city/milan.html"


def test_a_citys_document_carries_the_sources_of_its_facts(client: TestClient) -> None:
    response = client.get("/id/city/milan", headers={"Accept": "text/turtle"})
    body = Graph().parse(data=response.content, format="turtle")
    statements = set(body.subjects(RDF.subject, MILAN))
    assert statements
    assert all((s, RDF.type, RDF.Statement) in body for s in statements)


# -- A dataset description a client can follow -------------------------------------------------


def test_everything_the_served_description_names_can_be_followed_here(client: TestClient) -> None:
    """Downloads and the endpoint resolve where this server answers; resources stay
    permanent. Every whole-graph dump and every distribution is fetched."""
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    void = Graph().parse(data=response.content, format="turtle")
    dataset = URIRef("https://w3id.org/smartcity-graph/id/dataset/smartcity-graph")
    dumps = set(void.objects(dataset, URIRef("http://rdfs.org/ns/void#dataDump")))
    downloads = set(void.objects(None, URIRef("http://www.w3.org/ns/dcat#downloadURL")))
    assert len(dumps) == 4
    assert dumps <= downloads
    for url in sorted(downloads):
        assert str(url).startswith("http://testserver/release/"), url
        assert client.get(str(url)).status_code == 200, url
    (endpoint,) = void.objects(dataset, URIRef("http://rdfs.org/ns/void#sparqlEndpoint"))
    assert str(endpoint) == "http://testserver/sparql"
    answer = client.get(str(endpoint), params={"query": "ASK { ?s ?p ?o }"})
    assert answer.json()["boolean"] is True
    assert (dataset, RDF.type, URIRef("http://rdfs.org/ns/void#Dataset")) in void


def test_the_release_file_keeps_the_permanent_urls(release_dir: Path) -> None:
    void = (release_dir / "void.ttl").read_text(encoding="utf-8")
    assert "https://w3id.org/smartcity-graph/release/graph.nt" in void
    assert "testserver" not in void


def test_a_browser_gets_the_dataset_description_as_a_page(client: TestClient) -> None:
    response = client.get("/.well-known/void", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "G20 Global Smart Cities Alliance" in response.text


def test_the_manifest_is_downloadable(client: TestClient, release_dir: Path) -> None:
    response = client.get("/release/manifest.json")
    assert response.status_code == 200
    assert response.content == (release_dir / "manifest.json").read_bytes()
    assert response.headers["content-type"].startswith("application/json")
    again = client.get(
        "/release/manifest.json", headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304


def test_a_manifest_changed_under_the_server_is_refused(release_dir: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "release"
    shutil.copytree(release_dir, copy)
    with TestClient(create_app(Settings(), from_release(copy))) as fresh:
        (copy / "manifest.json").write_text('{"files": []}', encoding="utf-8")
        response = fresh.get("/release/manifest.json")
    assert response.status_code == 500
    assert "changed" in response.text
