"""The dataset's own description: VoID + DCAT (with distributions) and PROV of the build.

Pure: it receives the bytes of every file it describes and returns a graph.
Partition, checksum and input nodes are hash IRIs under the dataset's IRI, so
the description has no blank nodes and publishes byte-identically.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from .. import formats, iris
from ..iris import (
    DATASET,
    PUBLISHER,
    SPARQL_ENDPOINT,
    SPARQL_SERVICE,
)
from ..namespaces import (
    DCAT,
    DCTERMS,
    FOAF,
    ID,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SD,
    SPDX,
    VOID,
    XSD,
)
from .build import date, en, new_graph
from .model import DatasetInfo
from .profiles import describe_profiles
from .serialize import split_iri


@dataclass(frozen=True)
class FileInfo:
    name: str
    media_type: str
    size: int
    sha256: str
    title: str


def file_info(name: str, content: bytes, title: str) -> FileInfo:
    return FileInfo(
        name, formats.for_filename(name), len(content), hashlib.sha256(content).hexdigest(), title
    )


def distribution_iri(name: str) -> URIRef:
    return iris.mint("distribution", iris.slugify(name))


def _fragment(name: str) -> URIRef:
    return URIRef(f"{DATASET}#{name}")


def _curie_slug(iri: str) -> str:
    split = split_iri(iri)
    return f"{split[0]}-{split[1]}" if split else hashlib.sha256(iri.encode()).hexdigest()[:12]


def describe(
    info: DatasetInfo,
    data: Graph,
    files: Mapping[str, FileInfo],
    *,
    inputs: Mapping[str, bytes],
    software_version: str,
) -> Graph:
    """VoID/DCAT/PROV description of the release whose data graph is *data*."""
    # Files and inputs are named by slugs of their names: two names must not share one.
    iris.unique_slugs(files)
    iris.unique_slugs(inputs)
    g = new_graph()
    d = DATASET
    # The description is a document about the dataset (VoID §6.1), not the dataset itself.
    g.add((iris.download("void.ttl"), RDF.type, VOID.DatasetDescription))
    g.add((iris.download("void.ttl"), FOAF.primaryTopic, d))
    for cls in (VOID.Dataset, DCAT.Dataset, PROV.Entity, SCHEMA.Dataset):
        g.add((d, RDF.type, cls))
    g.add((d, RDFS.label, en(info.title)))
    g.add((d, DCTERMS.title, en(info.title)))
    g.add((d, SCHEMA.name, en(info.title)))
    g.add((d, DCTERMS.description, en(info.description)))
    g.add((d, DCTERMS.license, URIRef(info.licence)))
    g.add((d, SCHEMA.license, URIRef(info.licence)))
    g.add((d, DCTERMS.publisher, PUBLISHER))
    g.add((d, DCTERMS.creator, PUBLISHER))
    g.add((d, DCTERMS.issued, date(info.issued)))
    g.add((d, DCTERMS.modified, date(info.modified)))
    g.add((d, URIRef(f"{DCAT}version"), Literal(info.version)))  # DCAT 3; rdflib's DCAT is 2
    g.add((d, OWL.versionInfo, Literal(info.version)))
    g.add((d, DCTERMS.language, URIRef("http://id.loc.gov/vocabulary/iso639-1/en")))
    g.add((d, DCTERMS.conformsTo, iris.SHAPES))
    if info.homepage:
        g.add((d, DCAT.landingPage, URIRef(info.homepage)))
    for keyword in info.keywords:
        g.add((d, DCAT.keyword, en(keyword)))
    for example in info.example_resources:
        g.add((d, VOID.exampleResource, URIRef(example)))
    g.add((d, VOID.uriSpace, Literal(str(ID))))
    g.add((d, VOID.sparqlEndpoint, SPARQL_ENDPOINT))
    g.add((d, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    g.add((d, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Triples")))
    g.add((d, VOID.feature, URIRef("http://www.w3.org/ns/formats/JSON-LD")))
    g.add((d, VOID.feature, URIRef("http://www.w3.org/ns/formats/RDF_XML")))
    for namespace in sorted({ns for p in data.predicates() if (ns := _namespace(str(p)))}):
        g.add((d, VOID.vocabulary, URIRef(str(namespace))))

    # Publisher (this project), not one of the organisations of the release.
    g.add((PUBLISHER, RDF.type, FOAF.Agent))
    g.add((PUBLISHER, RDF.type, DCTERMS.Agent))
    g.add((PUBLISHER, RDFS.label, en(info.publisher)))
    g.add((PUBLISHER, FOAF.name, en(info.publisher)))

    describe_profiles(g, [f.media_type for f in formats.RDF_FORMATS if not f.quads] + ["text/html"])
    _statistics(g, d, data)
    _distributions(g, d, files)
    _service(g, d)
    _provenance(g, d, data, inputs, software_version)
    return g


def _namespace(iri: str) -> str | None:
    for namespace in PREFIXES.values():
        if iri.startswith(namespace):
            return namespace
    return None


def _statistics(g: Graph, d: URIRef, data: Graph) -> None:
    typed = Counter(data.objects(None, RDF.type))
    properties = Counter(data.predicates())
    subjects = set(data.subjects())
    g.add((d, VOID.triples, Literal(len(data))))
    g.add((d, VOID.entities, Literal(len({s for s in subjects if isinstance(s, URIRef)}))))
    g.add((d, VOID.distinctSubjects, Literal(len(subjects))))
    g.add((d, VOID.distinctObjects, Literal(len(set(data.objects())))))
    g.add((d, VOID.classes, Literal(len(typed))))
    g.add((d, VOID.properties, Literal(len(properties))))
    for cls, count in sorted(typed.items()):
        node = _fragment("class-" + _curie_slug(str(cls)))
        g.add((d, VOID.classPartition, node))
        g.add((node, VOID["class"], cls))
        g.add((node, VOID.entities, Literal(count)))
    for prop, count in sorted(properties.items()):
        node = _fragment("property-" + _curie_slug(str(prop)))
        g.add((d, VOID.propertyPartition, node))
        g.add((node, VOID.property, prop))
        g.add((node, VOID.triples, Literal(count)))


#: The files that hold the whole data graph, each in one format: the dataset's dumps.
WHOLE_GRAPH_DUMPS = ("graph.ttl", "graph.nt", "graph.jsonld", "graph.rdf")
#: Files that go with the data but are not the data: linked with ``dcterms:relation``
#: (still with size and checksum), so that no client takes them for a distribution.
SUPPORTING_FILES = (
    "context.jsonld",
    "city-frame.jsonld",
    "csv-metadata.json",
    "ontology.ttl",
    "shapes.ttl",
    "validation-report.ttl",
)
_CITY_FILE = re.compile(r"^city-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.jsonld$")


def _distributions(g: Graph, d: URIRef, files: Mapping[str, FileInfo]) -> None:
    """Every file as a distribution: of the whole dataset, or of the part it holds.

    The whole graph's files are the dataset's ``void:dataDump``s; a city's own JSON-LD is
    the distribution of that city's subset (``void:subset``, a dataset of its own), so a
    client taking "the dataset's JSON-LD distribution" gets the whole graph. The supporting
    files (:data:`SUPPORTING_FILES`) are related to the dataset, not its distributions.
    """
    for name in sorted(files):
        info = files[name]
        dist = distribution_iri(name)
        owner = d
        city = None if name in SUPPORTING_FILES else _CITY_FILE.match(name)
        if city is not None:
            owner = iris.mint("dataset", f"city-{city['slug']}")
            g.add((d, VOID.subset, owner))
            # A dcat:Dataset (void:subset's range makes it a void:Dataset too; not stated,
            # so that no client and no shape takes a part for the whole).
            g.add((owner, RDF.type, DCAT.Dataset))
            g.add((owner, RDFS.label, en(info.title)))
            g.add((owner, DCTERMS.isPartOf, d))
            g.add((owner, DCTERMS.subject, iris.mint("city", city["slug"])))
            g.add((owner, VOID.dataDump, iris.download(name)))
        elif name in WHOLE_GRAPH_DUMPS:
            g.add((d, VOID.dataDump, iris.download(name)))
        g.add((owner, DCTERMS.relation if name in SUPPORTING_FILES else DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, RDFS.label, en(info.title)))
        g.add((dist, DCTERMS.title, en(info.title)))
        g.add((dist, DCAT.downloadURL, iris.download(name)))
        g.add((dist, DCAT.accessURL, iris.download(name)))
        g.add(
            (
                dist,
                DCAT.mediaType,
                URIRef("https://www.iana.org/assignments/media-types/" + info.media_type),
            )
        )
        g.add((dist, DCTERMS.format, Literal(info.media_type)))
        g.add((dist, DCAT.byteSize, Literal(info.size, datatype=XSD.nonNegativeInteger)))
        checksum = URIRef(f"{dist}#sha256")
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(info.sha256, datatype=XSD.hexBinary)))


def _service(g: Graph, d: URIRef) -> None:
    s = SPARQL_SERVICE
    for cls in (DCAT.DataService, SD.Service):
        g.add((s, RDF.type, cls))
    g.add((s, RDFS.label, en("SPARQL 1.1 query endpoint (read-only)")))
    g.add((s, DCTERMS.title, en("SPARQL 1.1 query endpoint (read-only)")))
    g.add((s, DCAT.endpointURL, SPARQL_ENDPOINT))
    g.add((s, SD.endpoint, SPARQL_ENDPOINT))
    g.add((s, DCAT.servesDataset, d))
    g.add((s, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((s, SD.supportedLanguage, SD.SPARQL11Query))


def _provenance(
    g: Graph, d: URIRef, data: Graph, inputs: Mapping[str, bytes], software_version: str
) -> None:
    digest = hashlib.sha256()
    for name in sorted(inputs):
        digest.update(name.encode() + b"\0" + hashlib.sha256(inputs[name]).digest())
    activity = iris.mint("activity", "build-" + digest.hexdigest()[:16])
    software = iris.mint("software", "smartcity-graph-" + iris.slugify(software_version))
    g.add((d, PROV.wasGeneratedBy, activity))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDFS.label, en("Build of the smartcity-graph release")))
    g.add((activity, PROV.wasAssociatedWith, software))
    g.add((activity, PROV.generated, d))
    g.add((software, RDF.type, PROV.SoftwareAgent))
    g.add((software, RDF.type, SCHEMA.SoftwareApplication))
    g.add((software, RDFS.label, en(f"smartcity-graph {software_version}")))
    g.add((software, SCHEMA.softwareVersion, Literal(software_version)))
    for name in sorted(inputs):
        node = URIRef(f"{activity}#input-{iris.slugify(name)}")
        g.add((activity, PROV.used, node))
        g.add((node, RDF.type, PROV.Entity))
        g.add((node, RDFS.label, Literal(name)))
        g.add((node, SPDX.checksum, URIRef(f"{node}-sha256")))
        g.add((URIRef(f"{node}-sha256"), RDF.type, SPDX.Checksum))
        g.add((URIRef(f"{node}-sha256"), SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add(
            (
                URIRef(f"{node}-sha256"),
                SPDX.checksumValue,
                Literal(hashlib.sha256(inputs[name]).hexdigest(), datatype=XSD.hexBinary),
            )
        )
    for source in sorted(
        {o for o in data.objects(None, PROV.wasDerivedFrom) if isinstance(o, URIRef)}
    ):
        g.add((d, PROV.wasDerivedFrom, source))
        g.add((activity, PROV.used, source))
