"""Every namespace and prefix the project uses, declared once.

The prefix table is also the one used by every serialiser, so published files
always carry the same prefixes in the same order.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

#: The permanent base of every IRI this project mints (w3id.org style).
BASE = "https://w3id.org/smartcity-graph/"

SCG = Namespace(BASE + "def/")
"""The project's own ontology terms (slash namespace: each term dereferences)."""

ID = Namespace(BASE + "id/")
"""Instance data."""

SCGSH = Namespace(BASE + "shapes#")
"""The SHACL shapes."""

SCHEMA = Namespace("https://schema.org/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
PROF = Namespace("http://www.w3.org/ns/dx/prof/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VANN = Namespace("http://purl.org/vocab/vann/")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
GEONAMES = Namespace("https://sws.geonames.org/")

#: prefix -> namespace, in the order every serialiser writes them.
PREFIXES: dict[str, str] = {
    "scg": str(SCG),
    "scgsh": str(SCGSH),
    "id": str(ID),
    "dcat": str(DCAT),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "geo": str(GEO),
    "org": str(ORG),
    "owl": str(OWL),
    "prof": str(PROF),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "sd": str(SD),
    "sh": str(SH),
    "skos": str(SKOS),
    "spdx": str(SPDX),
    "vann": str(VANN),
    "void": str(VOID),
    "wd": str(WD),
    "wdt": str(WDT),
    "xsd": str(XSD),
}

__all__ = [
    "BASE",
    "DCAT",
    "DCTERMS",
    "FOAF",
    "GEO",
    "GEONAMES",
    "GSP",
    "ID",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROF",
    "PROV",
    "RDF",
    "RDFS",
    "SCG",
    "SCGSH",
    "SCHEMA",
    "SD",
    "SH",
    "SKOS",
    "SPDX",
    "VANN",
    "VOID",
    "WD",
    "WDT",
    "XSD",
    "sparql_prologue",
]


def sparql_prologue(*prefixes: str) -> str:
    """``PREFIX`` lines for *prefixes* (keys of :data:`PREFIXES`), for queries we write."""
    return "".join(f"PREFIX {prefix}: <{PREFIXES[prefix]}>\n" for prefix in prefixes)
