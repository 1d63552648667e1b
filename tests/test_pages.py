"""The human face: the landing page, search and the resource pages, read as a person reads
them (the words, the order, the links), on the real release."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import lxml.html
import pytest
import yaml
from fastapi.testclient import TestClient
from rdflib import URIRef

from conftest import ROOT, client_for
from smartcity_graph import iris
from smartcity_graph.graph.describe import possessive
from smartcity_graph.graph.pipeline import Release

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HERE = "http://testserver/"
#: Links in a fact, not its source numbers.
LINK_ELEMENTS = ".//a[not(ancestor::sup)]"
LINKS = LINK_ELEMENTS + "/@href"


@pytest.fixture(scope="module")
def client(release_dir: Path) -> Iterator[TestClient]:
    yield from client_for(release_dir)


def page(client: TestClient, path: str) -> lxml.html.HtmlElement:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200, (path, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    return lxml.html.fromstring(response.text)


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def key_facts(doc: lxml.html.HtmlElement) -> dict[str, lxml.html.HtmlElement]:
    terms = doc.xpath("//dl[@class='key-facts']/dt")
    return {text(dt): dt.getnext() for dt in terms}


def select_count(client: TestClient, cls: str) -> int:
    query = f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{cls}> }}"
    response = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


# -- The landing page ---------------------------------------------------------------------------


def test_the_landing_page_says_what_the_dataset_is(client: TestClient) -> None:
    doc = page(client, "/")
    assert "pioneer cities" in text(doc.xpath("//p[@class='lead']")[0])
    assert "every fact says where it comes from" in text(doc)


def test_the_headline_numbers_are_counted_in_the_graph(client: TestClient) -> None:
    doc = page(client, "/")
    shown = {
        text(li.xpath(".//*[@class='what']")[0]): int(text(li.xpath(".//*[@class='number']")[0]))
        for li in doc.xpath("//ul[@class='headlines']/li")
    }
    schema = "https://schema.org/"
    assert shown == {
        "cities": select_count(client, schema + "City"),
        "countries": select_count(client, schema + "Country"),
        "continents": select_count(client, schema + "Continent"),
        "organisations": select_count(client, schema + "Organization"),
        "people": select_count(client, schema + "Person"),
        "quotes": select_count(client, schema + "Quotation"),
        "commitments": select_count(client, str(iris.SCG.RoadmapCommitment)),
    }
    assert shown["cities"] == 36
    assert shown["countries"] == 22


def test_the_map_has_one_link_per_city_and_the_list_is_its_text_alternative(
    client: TestClient,
) -> None:
    doc = page(client, "/")
    svg = doc.xpath("//figure[@class='world-map']//*[local-name()='svg']")[0]
    markers = svg.xpath(".//*[local-name()='a']")
    hrefs = {m.get("href") for m in markers}
    assert len(markers) == 36
    assert len(hrefs) == 36
    assert all(href.startswith(HERE + "id/city/") for href in hrefs)
    listed = {a.get("href") for a in doc.xpath("//div[@class='city-list']//a")}
    assert hrefs <= listed, "every city on the map is in the list beside it"
    # No tile server or CDN: the map is drawn in the page.
    assert not doc.xpath("//img[contains(@src, 'http')]")


def test_each_chart_has_a_table_with_its_figures(client: TestClient) -> None:
    doc = page(client, "/")
    figures = doc.xpath("//figure[@class='chart-figure']")
    assert len(figures) == 2
    for figure in figures:
        svg = figure.xpath(".//*[local-name()='svg']")[0]
        assert svg.get("role") == "img"
        assert svg.get("aria-label")
        rows = figure.xpath(".//table//tbody/tr")
        assert rows
        for row in rows:
            label, value = text(row.xpath("th")[0]), text(row.xpath("td")[0])
            assert f"{value} cities" in text(svg), f"the chart shows {label}: {value}"
    per_continent = figures[0].xpath(".//table//tbody/tr")
    assert sum(int(text(r.xpath("td")[0])) for r in per_continent) == 36


def test_downloads_are_grouped_by_what_they_are(client: TestClient) -> None:
    doc = page(client, "/")
    groups = {
        h3.get("id"): {
            a.text
            for a in h3.xpath("following-sibling::*[1]/following-sibling::*")[0].xpath(".//a")
        }
        for h3 in doc.xpath("//section[@aria-labelledby='downloads']/h3")
    }
    assert list(groups) == [
        "downloads-graph",
        "downloads-tables",
        "downloads-cities",
        "downloads-metadata",
    ]
    assert {"graph.ttl", "graph.jsonld", "graph.nt", "graph.rdf"} <= groups["downloads-graph"]
    assert {"cities.csv", "cities.geojson"} <= groups["downloads-tables"]
    assert "city-milan.jsonld" in groups["downloads-cities"]
    assert {"void.ttl", "shapes.ttl", "validation-report.ttl"} <= groups["downloads-metadata"]


def test_checksums_fit_a_phone(client: TestClient) -> None:
    doc = page(client, "/")
    for code in doc.xpath("//span[@class='checksum']/code"):
        assert len(code.text) <= 13, "a short prefix is shown"
        assert len(code.get("title")) == 64, "the whole SHA-256 is one hover away"


def test_the_page_says_how_to_cite_and_the_repository_has_a_citation_file(
    client: TestClient,
) -> None:
    doc = page(client, "/")
    citation = text(doc.xpath("//p[@class='citation']")[0])
    assert "G20 Global Smart Cities Alliance pioneer cities" in citation
    assert str(iris.DATASET) in citation
    bibtex = doc.xpath("//section[@aria-labelledby='cite']//pre/code")[0].text
    assert bibtex.startswith("@misc{")
    assert f"url       = {{{iris.DATASET}}}" in bibtex
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"].startswith("1.2")
    assert cff["title"] in citation
    assert cff["license"] == "CC-BY-4.0"


def test_the_page_says_how_to_reconcile_with_openrefine(client: TestClient) -> None:
    section = page(client, "/").xpath("//section[@aria-labelledby='reconcile']")[0]
    assert f"{HERE}reconcile" in text(section)
    assert len(section.xpath(".//ol/li")) == 3


# -- Search -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Medellin", "Medellín"),
        ("medellín", "Medellín"),
        ("Bogota", "Bogotá"),
        ("Istanbul", "Istanbul"),
        ("Imamoglu", "Ekrem İmamoğlu"),
        ("CORDOBA", "Córdoba"),
    ],
)
def test_search_ignores_case_and_diacritics(client: TestClient, typed: str, found: str) -> None:
    doc = page(client, f"/search?q={typed}")
    names = [a.text for a in doc.xpath("//ul[@class='results']/li/a")]
    assert names
    assert names[0] == found


def test_a_name_not_in_the_dataset_finds_nothing(client: TestClient) -> None:
    doc = page(client, "/search?q=Sao Paulo")
    assert not doc.xpath("//ul[@class='results']")
    assert "0 results" in text(doc)


def test_search_is_a_plain_form_and_answers_scripts_in_json(client: TestClient) -> None:
    form = page(client, "/").xpath("//form[@role='search']")[0]
    assert form.get("method") == "get"
    assert form.get("action") == HERE + "search"
    label = form.xpath(".//label")[0]
    assert form.xpath(f".//input[@id='{label.get('for')}']")
    hits = client.get("/search", params={"q": "bogota"}, headers={"Accept": "application/json"})
    assert hits.json()[0] == {
        "name": "Bogotá",
        "kind": "City",
        "description": "City in Colombia",
        "href": HERE + "id/city/bogota",
    }


def test_search_text_is_escaped(client: TestClient) -> None:
    response = client.get("/search", params={"q": "<script>alert(1)</script>"})
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;" in response.text


# -- Resource pages -------------------------------------------------------------------------------


def test_a_city_page_leads_with_its_key_facts_in_words(client: TestClient) -> None:
    doc = page(client, "/id/city/medellin")
    assert text(doc.xpath("//h1")[0]) == "Medellín"
    assert "in Colombia, South America" in text(doc.xpath("//p[@class='summary']")[0])
    facts = key_facts(doc)
    assert list(facts)[:5] == ["Country", "Continent", "Coordinates", "Wikidata", "GeoNames"]
    assert facts["Country"].xpath(LINKS) == [HERE + "id/country/colombia"]
    assert facts["Wikidata"].xpath(LINKS) == ["http://www.wikidata.org/entity/Q48278"]
    assert facts["GeoNames"].xpath(LINKS) == ["https://sws.geonames.org/3674962/"]
    assert "6.245, -75.57151" in text(facts["Coordinates"])
    assert facts["Commitment"].xpath(LINKS) == [HERE + "id/commitment/medellin-2020"]
    assert len(facts["Policy areas committed to"].xpath(LINK_ELEMENTS)) == 5
    # A small map of where it is.
    assert doc.xpath("//figure[@class='city-map']//*[local-name()='svg']")


def test_a_city_page_names_the_people_who_spoke_for_it(client: TestClient) -> None:
    facts = key_facts(page(client, "/id/city/istanbul"))
    assert [a.text for a in facts["People who spoke for it"].xpath(LINK_ELEMENTS)] == [
        "Ekrem İmamoğlu"
    ]


def test_pages_use_human_labels_never_raw_curies(client: TestClient) -> None:
    for path in ("/id/city/milan", "/id/quote/2020-11-17-jeff-merritt", "/id/country/japan"):
        visible = text(page(client, path).xpath("//main")[0])
        for curie in ("rdfs:label", "schema:name", "owl:sameAs", "prov:wasDerivedFrom", "xsd:"):
            assert curie not in visible, f"{path} shows {curie}"


def test_repeated_facts_are_shown_once(client: TestClient) -> None:
    doc = page(client, "/id/city/milan")
    main = doc.xpath("//main")[0]
    wikidata_links = main.xpath(".//a[@href='http://www.wikidata.org/entity/Q490']")
    assert len(wikidata_links) == 1, "owl:sameAs and schema:sameAs are one fact"
    rows = [text(th) for th in main.xpath(".//table[@class='facts']//th[@scope='row']")]
    assert "Name" not in rows
    assert "Label" not in rows, "the heading already gives the name"
    assert "Same as" not in rows
    assert "GeoNames id" not in rows, "the GeoNames link says it"


def test_a_quote_page_shows_the_text_as_a_quotation_with_its_speaker_and_source(
    client: TestClient,
) -> None:
    doc = page(client, "/id/quote/2020-11-17-jeff-merritt")
    quote = doc.xpath("//blockquote[@class='quote']")[0]
    assert text(quote).startswith("This roadmap is not about theoretical ideas")
    facts = key_facts(doc)
    assert list(facts)[:4] == ["Speaker", "Date", "Text fidelity", "Source"]
    assert facts["Speaker"].xpath(LINKS) == [HERE + "id/person/jeff-merritt"]
    assert "2020-11-17" in text(facts["Date"])
    assert HERE + "id/source/wef-press-release-2020-11-17" in facts["Source"].xpath(LINKS)
    # The text is not repeated in the table below.
    assert "This roadmap is not about" not in text(doc.xpath("//table[@class='facts']")[0])


def test_each_fact_cites_its_own_sources(client: TestClient) -> None:
    doc = page(client, "/id/city/medellin")
    wikidata = key_facts(doc)["Wikidata"]
    numbers = [a.get("href") for a in wikidata.xpath(".//sup[@class='cite']/a")]
    assert numbers
    for anchor in numbers:
        item = doc.xpath(f"//li[@id='{anchor[1:]}']")[0]
        assert text(item) == "Natural Earth 1:50m populated places (GeoJSON, with Wikidata ids)"


def test_incoming_links_are_grouped_by_property_with_counts_and_pages(
    client: TestClient,
) -> None:
    path = "/id/source/wef-press-release-2020-11-17"
    doc = page(client, path)
    groups = doc.xpath("//section[@id='links']/div[@class='incoming-group']")
    assert len(groups) >= 2
    counts = {}
    for group in groups:
        heading = text(group.xpath("h3")[0])
        label, count = heading.rsplit(" (", 1)
        counts[label] = int(count.rstrip(")"))
        assert len(group.xpath("ul/li")) == min(counts[label], 20)
    big = next(g for g in groups if int(text(g.xpath("h3")[0]).rsplit("(", 1)[1][:-1]) > 20)
    first_page = [a.get("href") for a in big.xpath("ul/li/a")]
    next_link = big.xpath(".//nav[@class='pager']//a[text()='Next']")[0].get("href")
    assert parse_qs(urlparse(next_link).query)["page"] == ["2"]
    second = page(client, next_link.replace(HERE, "/"))
    label = text(big.xpath("h3")[0]).rsplit(" (", 1)[0]
    again = next(
        g
        for g in second.xpath("//div[@class='incoming-group']")
        if text(g.xpath("h3")[0]).startswith(label)
    )
    second_page = [a.get("href") for a in again.xpath("ul/li/a")]
    assert second_page
    assert not set(first_page) & set(second_page)
    assert "Page 2 of" in text(again)


def test_statements_citing_a_source_say_what_they_are_about(client: TestClient) -> None:
    doc = page(client, "/id/source/natural-earth-50m-populated-places")
    items = [text(li) for li in doc.xpath("//section[@id='links']//li")]
    assert "Barcelona: same as" in items


def test_open_in_sparql_gives_the_pages_facts(client: TestClient) -> None:
    doc = page(client, "/id/city/milan")
    link = doc.xpath("//a[text()='Open in SPARQL']")[0].get("href")
    assert link.startswith(HERE + "sparql?query=")
    (query,) = parse_qs(urlparse(link).query)["query"]
    rows = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    ).json()["results"]["bindings"]
    assert {"value": str(iris.mint("country", "italy")), "type": "uri"} in [
        r["value"] for r in rows
    ]


def test_every_page_links_its_formats(client: TestClient) -> None:
    doc = page(client, "/id/country/japan")
    links = {a.text: a.get("href") for a in doc.xpath("//ul[@class='actions']/li/a")}
    assert links["Turtle"] == HERE + "id/country/japan.ttl"
    assert links["JSON-LD"] == HERE + "id/country/japan.jsonld"


def test_names_in_any_script_are_shown_as_written(client: TestClient) -> None:
    assert text(page(client, "/id/person/ekrem-imamoglu").xpath("//h1")[0]) == "Ekrem İmamoğlu"
    assert text(page(client, "/id/city/cordoba").xpath("//h1")[0]) == "Córdoba"


def test_generated_labels_read_naturally() -> None:
    assert possessive("Leeds") == "Leeds'"
    assert possessive("Milan") == "Milan's"


def test_a_commitment_label_uses_the_english_possessive(client: TestClient) -> None:
    assert text(page(client, "/id/commitment/leeds-2020").xpath("//h1")[0]) == (
        "Leeds' commitment to adopt the policy roadmap"
    )


def test_every_kind_of_thing_has_a_page_with_a_heading_and_a_summary(
    client: TestClient, release: Release
) -> None:
    seen: dict[str, str] = {}
    for subject in sorted({s for s in release.graph.subjects() if isinstance(s, URIRef)}):
        parsed = iris.parse(str(subject))
        if parsed:
            seen.setdefault(parsed[0], str(subject))
    assert len(seen) >= 12
    for kind, iri in seen.items():
        doc = page(client, iris.to_path(iri))
        assert text(doc.xpath("//h1")[0]), kind
        summary = text(doc.xpath("//p[@class='summary']")[0])
        assert summary
        assert "None" not in summary, kind


# -- Every page is reachable -----------------------------------------------------------------------


def test_a_crawl_from_the_landing_page_reaches_every_resource_page_without_broken_links(
    client: TestClient, release: Release
) -> None:
    """Follow every local link from ``/`` (pages, paging of incoming links, the ontology,
    the dataset description); every resource of the graph must be reached, and every link
    must answer 200."""
    seen: set[str] = set()
    queue = deque(["/"])
    broken = []
    while queue:
        path = queue.popleft()
        response = client.get(path, headers={"Accept": BROWSER})
        if response.status_code != 200:
            broken.append((path, response.status_code))
            continue
        if not response.headers["content-type"].startswith("text/html"):
            continue
        doc = lxml.html.fromstring(response.text)
        for href in doc.xpath("//a/@href"):
            url = urlparse(href)
            if href.startswith("#") or (url.netloc and url.netloc != "testserver"):
                continue
            local = url.path + (f"?{url.query}" if url.query else "")
            if url.path == "/sparql" and url.query:
                continue  # the query UI, tested in the browser
            if url.path.startswith("/release/"):
                if local not in seen:
                    seen.add(local)
                    status = client.head(local).status_code
                    if status != 200:
                        broken.append((local, status))
                continue
            if local not in seen:
                seen.add(local)
                queue.append(local)
    assert not broken
    resources = {
        iris.to_path(str(s))
        for s in release.graph.subjects()
        if isinstance(s, URIRef) and iris.parse(str(s))
    }
    reached = {path.split("?")[0] for path in seen}
    assert resources - reached == set()


def test_the_citation_file_agrees_with_the_dataset_record() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    dataset = yaml.safe_load((ROOT / "data" / "dataset.yaml").read_text(encoding="utf-8"))
    assert cff["title"] == dataset["title"]
    assert cff["version"] == dataset["version"]
    assert cff["date-released"] == str(dataset["issued"])
    assert cff["url"] == str(iris.DATASET)


def test_the_dataset_page_gives_its_statistics_as_two_tables(client: TestClient) -> None:
    doc = page(client, "/.well-known/void")
    assert "A dataset of 7360 triples" in text(doc.xpath("//p[@class='summary']")[0])
    tables = doc.xpath("//table[@class='partitions']")
    assert len(tables) == 2
    classes = {
        text(row.xpath("th")[0]): int(text(row.xpath("td")[0]))
        for row in tables[0].xpath(".//tbody/tr")
    }
    assert classes["City"] == 36
    assert classes["Country"] == 22
    # The partitions are not repeated one section each.
    assert not doc.xpath("//section[@class='part']")
    kicker = text(doc.xpath("//p[@class='kicker']")[0])
    assert kicker.count("Dataset") == 1


def test_a_thing_with_its_own_description_is_summed_up_by_it(client: TestClient) -> None:
    doc = page(client, "/id/text-fidelity/verbatim")
    summary = text(doc.xpath("//p[@class='summary']")[0])
    assert summary != "Verbatim (Concept)."
    rows = [text(th) for th in doc.xpath("//table[@class='facts']//th[@scope='row']")]
    assert "Definition" not in rows, "the definition is the summary, not repeated below"
