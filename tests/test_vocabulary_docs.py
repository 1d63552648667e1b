"""The ontology and its shapes, documented for people: ``/def`` (classes and properties
tables), ``/def/{Term}`` (one term) and ``/shapes`` (every shape in words) for browsers,
while RDF clients get exactly what they got before (the ontology graph; a 303 to
``release/shapes.ttl``). Checked against ``ontology/*.ttl`` and ``shapes/*.ttl`` themselves,
so a new term or shape that the pages miss fails here."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic
from rdflib.term import Node

from conftest import ROOT, client_for
from smartcity_graph import iris
from smartcity_graph.graph.describe import curie
from smartcity_graph.graph.vocabulary_docs import (
    Namer,
    Ref,
    documentation,
    ontology_view,
    plain,
    shapes_view,
)
from smartcity_graph.namespaces import FOAF, OWL, PREFIXES, RDF, RDFS, SCG, SH, XSD
from smartcity_graph.query.dataset import from_files
from smartcity_graph.settings import Settings
from smartcity_graph.web import create_app

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HERE = "http://testserver/"
RDF_MEDIA = {
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/n-triples": ("nt", "nt"),
    "application/rdf+xml": ("rdf", "xml"),
}


def turtle_dir(folder: Path) -> Graph:
    graph = Graph()
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


ONTOLOGY = turtle_dir(ROOT / "ontology")
SHAPES = turtle_dir(ROOT / "shapes")
TERMS = sorted({str(s) for s in ONTOLOGY.subjects() if isinstance(s, URIRef) and iris.term(str(s))})
CLASSES = {str(s) for s in ONTOLOGY.subjects(RDF.type, OWL.Class)}


@pytest.fixture(scope="module")
def client(release_dir: Path) -> Iterator[TestClient]:
    yield from client_for(release_dir)


@pytest.fixture(scope="module")
def ontology_page(client: TestClient) -> Element:
    return page(client, "/def")


@pytest.fixture(scope="module")
def shapes_page(client: TestClient) -> Element:
    return page(client, "/shapes")


# -- Reading pages -----------------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        raw = "".join(
            c if isinstance(c, str) else f"{c.text()}{' ' * (c.tag in BLOCKS)}"
            for c in self.children
        )
        return " ".join(raw.split())

    def all(self, tag: str | None = None) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.all(tag)

    def by_id(self, wanted: str) -> Element | None:
        return next((e for e in self.all() if e.attrs.get("id") == wanted), None)

    def hrefs(self) -> list[str]:
        return [a.attrs["href"] for a in self.all("a") if "href" in a.attrs]


VOID = {"br", "meta", "link", "img", "input", "hr", "source", "wbr"}
#: Elements whose text is a block of its own (a space after it when text is joined).
BLOCKS = {"p", "li", "td", "th", "tr", "dt", "dd", "h1", "h2", "h3", "caption", "div", "br"}


class Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Element("document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    tree = Tree()
    tree.feed(html)
    return tree.root


def page(client: TestClient, path: str) -> Element:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200, (path, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    return parse(response.text)


def shown(node: Node) -> str:
    """How the pages name *node*: our terms by label, other vocabularies by prefixed name."""
    if iris.is_ours(str(node)):
        return str(ONTOLOGY.value(node, RDFS.label) or iris.term(str(node)))
    return curie(str(node))


def cells(row: Element) -> list[Element]:
    return [c for c in row.children if isinstance(c, Element) and c.tag in ("th", "td")]


# -- /def for browsers: the tables -------------------------------------------------------------


@pytest.mark.parametrize("term", TERMS, ids=lambda t: iris.term(t) or t)
def test_every_term_has_a_row_with_its_domain_and_range(ontology_page: Element, term: str) -> None:
    document = ontology_page
    name = iris.term(term)
    assert name is not None
    row = document.by_id(name)
    assert row is not None, f"no row with id={name}"
    assert row.tag == "tr"
    table = next(t for t in document.all("table") if row in list(t.all("tr")))
    caption = next(table.all("caption")).text()
    assert caption.startswith("Classes" if term in CLASSES else "Properties")
    header, *rest = cells(row)
    assert header.tag == "th"
    assert header.attrs.get("scope") == "row"
    assert f"{HERE}def/{name}" in header.hrefs()
    assert f"scg:{name}" in header.text()
    if term in CLASSES:
        return
    definition, domain, range_, *_ = rest
    assert str(ONTOLOGY.value(URIRef(term), RDFS.comment)) in definition.text()
    for expected in ONTOLOGY.objects(URIRef(term), RDFS.domain):
        assert shown(expected) in domain.text()
    for expected in ONTOLOGY.objects(URIRef(term), RDFS.range):
        assert shown(expected) in range_.text()
    if not set(ONTOLOGY.objects(URIRef(term), RDFS.range)):
        assert range_.text() == "—"


def test_the_ontology_page_anchors_each_term_so_a_link_can_point_at_it(
    client: TestClient,
) -> None:
    document = page(client, "/def")
    row = document.by_id("RoadmapCommitment")
    assert row is not None
    assert row.tag == "tr"
    assert "roadmap commitment" in row.text()
    term = page(client, "/def/RoadmapCommitment")
    assert f"{HERE}def#RoadmapCommitment" in term.hrefs()


def test_the_ontology_page_names_the_ontology_its_licence_and_what_it_reuses(
    client: TestClient,
) -> None:
    document = page(client, "/def")
    text = document.text()
    assert next(document.all("h1")).text() == "smartcity-graph ontology"
    assert "0.1.0" in text
    assert "CC BY 4.0" in text
    assert "https://creativecommons.org/licenses/by/4.0/" in document.hrefs()
    reused = document.by_id("caption-reused")
    assert reused is not None
    for name in ("schema.org", "PROV-O", "SKOS", "DCMI Metadata Terms"):
        assert name in text
    # Other vocabularies' terms link to their own documentation, not to this server.
    assert "https://schema.org/City" in document.hrefs()
    assert "https://www.w3.org/TR/prov-o/#Entity" in document.hrefs()


def test_the_ontology_page_lists_the_concept_schemes_with_their_concepts(
    client: TestClient,
) -> None:
    document = page(client, "/def")
    section = document.by_id("section-schemes")
    assert section is not None
    hrefs = document.hrefs()
    for concept in (
        "id/policy-area/privacy-protection",
        "id/text-fidelity/verbatim",
        "id/confirmation-status/unconfirmed",
    ):
        assert HERE + concept in hrefs
    assert "Values of policy area (scg:policyArea)" in document.text()


def test_examples_are_uses_from_the_data_linked_to_pages_that_answer(
    client: TestClient,
) -> None:
    document = page(client, "/def")
    lists = [ul for ul in document.all("ul") if ul.attrs.get("class") == "examples"]
    assert len(lists) >= len(TERMS) - 2  # a term may have no use in the data
    links = sorted({href for ul in lists for href in ul.hrefs() if href.startswith(HERE)})
    assert len(links) > 20
    for ul in lists:
        assert len(list(ul.all("li"))) <= 3
    for link in links:
        response = client.get(link, headers={"Accept": BROWSER})
        assert response.status_code == 200, link
    commitment = document.by_id("RoadmapCommitment")
    assert commitment is not None
    assert f"{HERE}id/commitment/apeldoorn-2020" in commitment.hrefs()


def test_the_ontology_page_is_accessible_html(client: TestClient) -> None:
    response = client.get("/def", headers={"Accept": BROWSER})
    assert "script-src 'self'" in response.headers["content-security-policy"]
    document = parse(response.text)
    assert not [s for s in document.all("script") if s.attrs.get("type") != "application/ld+json"]
    assert not [e for e in document.all() if "style" in e.attrs]
    assert f"{HERE}static/docs.css" in [link.attrs.get("href") for link in document.all("link")]
    assert client.get("/static/docs.css").status_code == 200
    for table in document.all("table"):
        assert list(table.all("caption")), "a table without a caption"
        assert all(th.attrs.get("scope") in ("row", "col") for th in table.all("th"))
    for wrapper in (d for d in document.all("div") if "table-scroll" in d.attrs.get("class", "")):
        assert wrapper.attrs.get("tabindex") == "0"
        assert wrapper.attrs.get("role") == "region"
        assert document.by_id(wrapper.attrs["aria-labelledby"]) is not None
    assert_headings_in_order(document)


def assert_headings_in_order(document: Element) -> None:
    levels = [int(e.tag[1]) for e in document.all() if re.fullmatch(r"h[1-6]", e.tag)]
    assert levels[0] == 1
    assert levels.count(1) == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, levels


# -- /def/{Term} for browsers ------------------------------------------------------------------


def definition_list(document: Element) -> dict[str, str]:
    meta = next(d for d in document.all("dl"))
    items = [e for e in meta.children if isinstance(e, Element)]
    return {dt.text(): dd.text() for dt, dd in zip(items[::2], items[1::2], strict=True)}


@pytest.mark.parametrize("term", TERMS, ids=lambda t: iris.term(t) or t)
def test_a_term_page_shows_its_definition_domain_and_range(client: TestClient, term: str) -> None:
    name = iris.term(term)
    document = page(client, f"/def/{name}")
    label = str(ONTOLOGY.value(URIRef(term), RDFS.label))
    assert next(document.all("h1")).text() == label
    assert term in document.text()
    assert str(ONTOLOGY.value(URIRef(term), RDFS.comment)) in document.text()
    facts = definition_list(document)
    if term in CLASSES:
        for parent in ONTOLOGY.objects(URIRef(term), RDFS.subClassOf):
            assert shown(parent) in facts["Subclass of"]
        return
    for predicate, key in ((RDFS.domain, "Domain"), (RDFS.range, "Range")):
        expected = list(ONTOLOGY.objects(URIRef(term), predicate))
        for value in expected:
            assert shown(value) in facts[key]
        if not expected:
            assert "not stated" in facts[key]
    assert_headings_in_order(document)


def test_a_term_page_names_the_shapes_that_constrain_it_and_its_uses(
    client: TestClient,
) -> None:
    document = page(client, "/def/RoadmapCommitment")
    hrefs = document.hrefs()
    assert f"{HERE}shapes#RoadmapCommitmentShape" in hrefs
    assert f"{HERE}shapes#CityShape" in hrefs  # a city has exactly one commitment
    assert f"{HERE}id/commitment/apeldoorn-2020" in hrefs
    geonames = page(client, "/def/geonamesId")
    assert f"{HERE}shapes#CityShape" in geonames.hrefs()
    assert f"{HERE}shapes#SourcedFactShape" in geonames.hrefs()  # named in its SPARQL
    assert "2759706" in geonames.text()  # Apeldoorn's GeoNames id, a use with its value


def test_a_term_page_links_its_rdf_formats(client: TestClient) -> None:
    document = page(client, "/def/textFidelity")
    for media, (ext, fmt) in RDF_MEDIA.items():
        href = f"{HERE}def/textFidelity.{ext}"
        assert href in document.hrefs()
        response = client.get(href)
        assert response.headers["content-type"].startswith(media)
        described = Graph().parse(data=response.content, format=fmt)
        assert (SCG.textFidelity, RDFS.range, None) in described


def test_a_term_page_names_its_document(client: TestClient) -> None:
    response = client.get("/def/RoadmapCommitment", headers={"Accept": BROWSER})
    assert response.headers["content-location"] == f"{HERE}def/RoadmapCommitment.html"
    assert "Accept" in response.headers["vary"]
    assert client.get("/def/RoadmapCommitment.html").text == response.text


@pytest.mark.parametrize("path", ["/def/NoSuchTerm", "/def/noSuchProperty.html"])
def test_a_name_the_ontology_does_not_define_is_not_found(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert "Not Found" in response.text


# -- /shapes -----------------------------------------------------------------------------------


def test_shapes_for_a_browser_describe_every_node_shape_and_every_path(
    client: TestClient,
) -> None:
    response = client.get("/shapes", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    document = parse(response.text)
    codes = {c.text() for c in document.all("code")}
    node_shapes = {s for s in SHAPES.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    assert len(node_shapes) > 20
    for shape in node_shapes:
        name = str(shape).rsplit("#", 1)[-1]
        section = document.by_id(name)
        assert section is not None, name
        assert section.tag == "section"
    for path in set(SHAPES.objects(None, SH.path)):
        inverse = SHAPES.value(path, SH.inversePath) if isinstance(path, BNode) else None
        expected = f"^{curie(str(inverse))}" if inverse is not None else curie(str(path))
        assert expected in codes, expected
    assert_headings_in_order(document)


@pytest.mark.parametrize(
    ("shape", "sentence"),
    [
        ("CityShape", "Applies to every schema:City."),
        (
            "CityShape",
            "Must have exactly one contained in place (schema:containedInPlace), a schema:Country.",
        ),
        (
            "CityShape",
            "Must be the value of committed city (scg:committedCity) on exactly one "
            "roadmap commitment (scg:RoadmapCommitment).",
        ),
        (
            "CountryShape",
            "Must have exactly one ISO 3166-1 alpha-2 code (scg:iso3166Alpha2), "
            "a plain string (xsd:string) matching the pattern ^[A-Z]{2}$.",
        ),
        ("PersonShape", "Must not have any email (schema:email)."),
        ("PublisherShape", "Applies to every value of schema:publisher."),
        ("PublisherShape", "Must be an IRI."),
        ("PolicyArea", "No target of its own: it applies where PolicyRoadmapShape"),
        (
            "QuotationShape",
            "Must have exactly one text (schema:text), a language-tagged string "
            "(rdf:langString) of at least 20 characters.",
        ),
        (
            "QuotationShape",
            "a quote repaired from another copy must name that copy with scg:repairedFrom",
        ),
    ],
)
def test_shapes_read_as_sentences(shapes_page: Element, shape: str, sentence: str) -> None:
    section = shapes_page.by_id(shape)
    assert section is not None
    assert sentence in section.text()


def test_sparql_constraints_show_their_message_severity_and_query(client: TestClient) -> None:
    section = page(client, "/shapes").by_id("StatementShape")
    assert section is not None
    (details,) = list(section.all("details"))
    assert "FILTER NOT EXISTS { ?s ?p ?o }" in details.text()
    assert "a statement is about a triple the graph asserts" in section.text()
    assert "violation" in section.text()


def test_shapes_link_our_terms_here_and_other_terms_to_their_documentation(
    client: TestClient,
) -> None:
    hrefs = page(client, "/shapes").hrefs()
    assert f"{HERE}def/committedCity" in hrefs
    assert f"{HERE}shapes#PolicyArea" in hrefs
    assert "https://schema.org/Country" in hrefs
    assert f"{HERE}release/shapes.ttl" in hrefs


@pytest.mark.parametrize("accept", ["text/turtle", "*/*", None, "application/ld+json"])
def test_shapes_for_any_other_client_is_still_a_303_to_the_release_file(
    client: TestClient, release_dir: Path, accept: str | None
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/shapes", headers=headers, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{HERE}release/shapes.ttl"
    followed = client.get("/shapes", headers=headers)
    assert followed.content == (release_dir / "shapes.ttl").read_bytes()


# -- RDF formats of /def: unchanged ------------------------------------------------------------


@pytest.mark.parametrize("media", sorted(RDF_MEDIA))
@pytest.mark.parametrize("by", ["accept", "suffix"])
def test_rdf_formats_of_the_ontology_are_the_ontology_graph(
    client: TestClient, release_dir: Path, media: str, by: str
) -> None:
    ext, fmt = RDF_MEDIA[media]
    if by == "accept":
        response = client.get("/def", headers={"Accept": media})
    else:
        response = client.get(f"/def.{ext}", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert response.headers["content-location"] == f"{HERE}def.{ext}"
    expected = Graph().parse(release_dir / "ontology.ttl", format="turtle")
    expected.add((URIRef(f"{iris.ONTOLOGY}.{ext}"), FOAF.primaryTopic, iris.ONTOLOGY))
    served = Graph().parse(data=response.content, format=fmt)
    if not isomorphic(served, expected):
        _, missing, extra = graph_diff(expected, served)
        pytest.fail(f"missing: {sorted(missing)[:5]} extra: {sorted(extra)[:5]}")
    if by == "accept":
        assert f'<{HERE}def.{ext}>; rel="describedby"' in response.headers["link"]
        assert "Accept" in response.headers["vary"]


def test_a_server_without_an_ontology_or_shapes_has_no_such_pages(tmp_path: Path) -> None:
    data = tmp_path / "data.ttl"
    data.write_text(
        "<https://w3id.org/smartcity-graph/def/Thing> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "thing" .\n'
    )
    with TestClient(create_app(Settings(), from_files([data], []))) as bare:
        assert bare.get("/def", headers={"Accept": BROWSER}).status_code == 404
        assert bare.get("/shapes", headers={"Accept": BROWSER}).status_code == 404
        # A term the store describes still gets the page every resource gets.
        assert bare.get("/def/Thing", headers={"Accept": BROWSER}).status_code == 200


# -- The words, from small graphs (each rule with a failing example) ---------------------------


def namer() -> Namer:
    return Namer({}, lambda iri: iris.to_local(iri, HERE))


def test_a_term_without_a_label_is_shown_by_its_local_name() -> None:
    graph = Graph()
    graph.add((iris.ONTOLOGY, RDF.type, OWL.Ontology))
    graph.add((SCG.unlabelledThing, RDF.type, OWL.DatatypeProperty))
    graph.add((SCG.Labelled, RDF.type, OWL.Class))
    graph.add((SCG.Labelled, RDFS.label, Literal("labelled", lang="en")))
    view = ontology_view(graph, namer())
    term = view.term("unlabelledThing")
    assert term is not None
    assert (term.label, term.labelled) == ("unlabelledThing", False)
    assert term.kind == "datatype property"
    labelled = view.term("Labelled")
    assert labelled is not None
    assert (labelled.label, labelled.labelled) == ("labelled", True)
    assert [t.name for t in view.classes] == ["Labelled"]


def test_a_label_in_another_language_only_is_not_taken_for_english() -> None:
    graph = Graph()
    graph.add((SCG.thing, RDF.type, OWL.ObjectProperty))
    graph.add((SCG.thing, RDFS.label, Literal("chose", lang="fr")))
    term = ontology_view(graph, namer()).term("thing")
    assert term is not None
    assert term.label == "thing"


def test_links_go_only_to_http_addresses() -> None:
    assert Namer({}, lambda iri: iri).ref(URIRef("javascript:alert(1)")).href is None
    assert documentation("javascript:alert(1)") is None
    assert documentation(str(XSD.string)) == "https://www.w3.org/TR/xmlschema11-2/#string"
    assert documentation(PREFIXES["schema"] + "City") == "https://schema.org/City"


def shape_sentences(turtle: str) -> list[str]:
    prologue = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    graph = Graph().parse(data=prologue + turtle, format="turtle")
    view = shapes_view(graph, namer())
    return [plain(rule.sentence) for shape in view.shapes for rule in shape.rules]


def test_a_forbidden_property_reads_as_must_not() -> None:
    sentences = shape_sentences(
        "scgsh:S a sh:NodeShape ; sh:targetClass schema:Person ;"
        " sh:property [ sh:path schema:email ; sh:maxCount 0 ] ."
    )
    assert sentences == ["Must not have any email (schema:email)."]


def test_a_constraint_without_words_is_shown_not_dropped() -> None:
    sentences = shape_sentences(
        "scgsh:S a sh:NodeShape ; sh:targetClass schema:Thing ;"
        " sh:property [ sh:path schema:name ; sh:minCount 1 ; sh:qualifiedMinCount 2 ] ."
    )
    assert sentences == ["Must have at least one name (schema:name), with sh:qualifiedMinCount 2."]


def test_counts_above_one_and_value_lists_read_naturally() -> None:
    sentences = shape_sentences(
        "scgsh:S a sh:NodeShape ; sh:targetClass schema:Thing ;"
        ' sh:property [ sh:path schema:keywords ; sh:minCount 2 ; sh:in ("a" "b") ] .'
    )
    assert sentences == [
        "Must have at least two values of keywords (schema:keywords), one of a or b."
    ]


def test_a_severity_other_than_violation_is_named() -> None:
    prologue = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    graph = Graph().parse(
        data=prologue + "scgsh:S a sh:NodeShape ; sh:targetClass schema:Thing ;"
        " sh:property [ sh:path schema:name ; sh:maxCount 1 ; sh:severity sh:Warning ] .",
        format="turtle",
    )
    (shape,) = shapes_view(graph, namer()).shapes
    assert [r.severity for r in shape.rules] == ["warning"]
    assert isinstance(shape.targets[0][1], Ref)


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_text_colour_of_docs_css_has_4_5_to_1_on_every_background_it_sets() -> None:
    """Each colour ``docs.css`` gives text (its own, or the fallback of a style.css variable)
    against white and against each background it sets (WCAG AA for normal text)."""
    css = (ROOT / "src" / "smartcity_graph" / "static" / "docs.css").read_text()
    hexes = r"#[0-9a-fA-F]{6}\b"
    texts = re.findall(rf"(?<![-\w])color:\s*(?:var\(--[\w-]+,\s*)?({hexes})", css)
    backgrounds = ["#ffffff", *re.findall(rf"background:\s*(?:var\(--[\w-]+,\s*)?({hexes})", css)]
    assert len(texts) >= 4
    assert len(backgrounds) >= 3
    for text in texts:
        for background in backgrounds:
            assert contrast(text, background) >= 4.5, (text, background)


# -- In a real browser: nothing wider than a phone, nothing the CSP blocks ---------------------


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/def", "/def/RoadmapCommitment", "/shapes"])
def test_pages_fit_a_390_px_screen_without_console_errors(
    browser: object, release_server: str, path: str
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 800})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(release_server + path, wait_until="networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{path} is {width}px wide"
    assert errors == []  # a CSP violation is reported here
    page.close()
