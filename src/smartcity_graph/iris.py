"""The only module that mints or parses this project's IRIs.

An instance IRI is ``{BASE}id/{kind}/{slug}``; the document about it is the
same path with a format suffix (``.ttl``, ``.jsonld``...), chosen by the web
layer. Slugs are lowercase ASCII words joined by single hyphens, so an IRI is
readable, stable and never needs percent-encoding.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from typing import Final

from anyascii import anyascii
from rdflib import URIRef
from rdflib.term import Node

from .errors import IRIError
from .namespaces import BASE, ID, SCG

#: Every kind of thing that gets an IRI under ``/id/``. Adding a kind is a
#: decision about the public IRI space: it is never renamed afterwards.
KINDS: Final = (
    "activity",
    "city",
    "commitment",
    "concept-scheme",
    "confirmation-status",
    "continent",
    "country",
    "dataset",
    "distribution",
    "event",
    "graph",
    "organisation",
    "person",
    "place",
    "policy-area",
    "profile",
    "quote",
    "roadmap",
    "software",
    "source",
    "statement",
    "text-fidelity",
    "validation-report",
)

SLUG_PATTERN: Final = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_SLUG = re.compile(rf"^{SLUG_PATTERN}$")
_INSTANCE = re.compile(rf"^{re.escape(str(ID))}(?P<kind>{SLUG_PATTERN})/(?P<slug>{SLUG_PATTERN})$")

#: The ontology (a slash namespace: each term is ``{BASE}def/{Term}``).
ONTOLOGY: Final = URIRef(BASE + "def")
#: The SHACL shapes graph.
SHAPES: Final = URIRef(BASE + "shapes")
_TERM = re.compile(rf"^{re.escape(str(SCG))}(?P<term>[A-Za-z][A-Za-z0-9]*)$")


def is_slug(text: str) -> bool:
    """True if *text* is a valid slug (``milan``, ``mexico-city``)."""
    return bool(_SLUG.match(text))


def slugify(text: str) -> str:
    """Derive a slug from a name in any script: ``"Bogotá"`` -> ``"bogota"``.

    The text is transliterated to ASCII (``anyascii``: ``Łódź`` -> ``lodz``, ``Straße`` ->
    ``strasse``, ``東京`` -> ``dongjing``), then every run of other characters becomes one
    hyphen. Raises :class:`IRIError` if nothing usable is left.
    """
    ascii_text = anyascii(unicodedata.normalize("NFC", text))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not slug:
        raise IRIError(f"cannot derive a slug from {text!r}")
    return slug


def unique_slugs(names: Iterable[str]) -> dict[str, str]:
    """Name -> slug for *names*; :class:`IRIError` if two different names share a slug."""
    found: dict[str, str] = {}
    named: dict[str, str] = {}
    for name in names:
        slug = slugify(name)
        other = named.setdefault(slug, name)
        if other != name:
            raise IRIError(f"{other!r} and {name!r} would share the slug {slug!r}")
        found[name] = slug
    return found


def mint(kind: str, slug: str) -> URIRef:
    """The IRI of the thing of *kind* named *slug*."""
    if kind not in KINDS:
        raise IRIError(f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}")
    if not is_slug(slug):
        raise IRIError(f"{slug!r} is not a slug (lowercase ASCII words joined by '-')")
    return URIRef(f"{ID}{kind}/{slug}")


def statement(subject: URIRef, predicate: URIRef, obj: Node) -> URIRef:
    """The IRI of the ``rdf:Statement`` that says where the triple *subject predicate obj*
    comes from: readable (``city-medellin-lat-…``) and the same in every build."""
    parsed = parse(subject)
    head = f"{parsed[0]}-{parsed[1]}" if parsed else "external"
    local = slugify(re.split(r"[/#]", str(predicate))[-1])
    triple = f"{subject.n3()} {predicate.n3()} {obj.n3()}"
    return mint("statement", f"{head}-{local}-{hashlib.sha256(triple.encode()).hexdigest()[:10]}")


def template(kind: str) -> str:
    """The RFC 6570 URI template of the things of *kind*: ``{ID}{kind}/{slug}``."""
    if kind not in KINDS:
        raise IRIError(f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}")
    return f"{ID}{kind}/{{slug}}"


def parse(iri: str) -> tuple[str, str] | None:
    """``(kind, slug)`` for one of our instance IRIs, else ``None``."""
    match = _INSTANCE.match(iri)
    if match is None or match["kind"] not in KINDS:
        return None
    return match["kind"], match["slug"]


def term(iri: str) -> str | None:
    """The local name of one of our ontology terms, else ``None``."""
    match = _TERM.match(iri)
    return match["term"] if match else None


def is_ours(iri: str) -> bool:
    """True for every IRI under the project's base."""
    return iri.startswith(BASE)


def to_path(iri: str) -> str:
    """The URL path of one of our IRIs: ``{BASE}id/city/milan`` -> ``/id/city/milan``."""
    if not is_ours(iri):
        raise IRIError(f"{iri!r} is not under {BASE}")
    return "/" + iri[len(BASE) :]


def from_path(path: str) -> URIRef:
    """Inverse of :func:`to_path`."""
    if not path.startswith("/"):
        raise IRIError(f"{path!r} is not an absolute path")
    return URIRef(BASE + path[1:])


def to_local(iri: str, public_base: str) -> str:
    """Map one of our IRIs to where a server actually runs (``public_base``).

    ``public_base`` ends with ``/``; IRIs not under :data:`BASE` are returned
    unchanged, so Wikidata links stay Wikidata links.
    """
    if not is_ours(iri):
        return iri
    return public_base + iri[len(BASE) :]


def from_local(url: str, public_base: str) -> str:
    """Inverse of :func:`to_local`."""
    if url.startswith(public_base):
        return BASE + url[len(public_base) :]
    return url


WIKIDATA_ENTITY: Final = "http://www.wikidata.org/entity/"
_QID = re.compile(r"^Q[1-9][0-9]*$")


def is_qid(text: str) -> bool:
    """True for a Wikidata item id such as ``Q490``."""
    return bool(_QID.match(text))


def wikidata(qid: str) -> URIRef:
    """The Wikidata entity IRI of item *qid* (the form ``owl:sameAs`` links use)."""
    if not is_qid(qid):
        raise IRIError(f"{qid!r} is not a Wikidata item id (Q followed by digits)")
    return URIRef(WIKIDATA_ENTITY + qid)


def geonames(geonames_id: int) -> URIRef:
    """The GeoNames feature IRI for a GeoNames id."""
    if geonames_id <= 0:
        raise IRIError(f"{geonames_id!r} is not a GeoNames id")
    return URIRef(f"https://sws.geonames.org/{geonames_id}/")


# -- The release's own IRIs (spelled here and nowhere else) ----------------------------------

#: The dataset (``void:Dataset``, ``dcat:Dataset``).
DATASET: Final = mint("dataset", "smartcity-graph")
#: The project, as the dataset's publisher and the ontology's creator.
PUBLISHER: Final = mint("organisation", "smartcity-graph-project")
#: The SPARQL endpoint's public address, and the service that answers there.
SPARQL_ENDPOINT: Final = URIRef(BASE + "sparql")
SPARQL_SERVICE: Final = mint("software", "sparql-endpoint")
#: The named graphs of the TriG / N-Quads distributions and of the SPARQL dataset.
DATA_GRAPH: Final = mint("graph", "data")
ONTOLOGY_GRAPH: Final = mint("graph", "ontology")
DESCRIPTION_GRAPH: Final = mint("graph", "dataset")
#: Where release files are downloaded from (``{BASE}release/{file}``).
DOWNLOAD_BASE: Final = BASE + "release/"
#: The reconciliation service's public address.
RECONCILE_ENDPOINT: Final = URIRef(BASE + "reconcile")


def download(name: str) -> URIRef:
    """The public address of the release file *name*."""
    return URIRef(DOWNLOAD_BASE + name)
