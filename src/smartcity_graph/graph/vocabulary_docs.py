"""The ontology and the SHACL shapes in words, for people (pure: graphs in, views out).

The web layer fetches the ontology graph, a few uses of each term from the data, the labels
of what they mention, the concept schemes and the release's shapes; this module turns them
into what the pages show: each term with its definition, domain, range and hierarchy; terms
of other vocabularies as prefixed names linking to their official documentation; and each
SHACL constraint as a sentence ("Must have exactly one ...").

A sentence is a tuple of :data:`Words`: plain strings and :class:`Ref` links, so a template
escapes every string and builds every link itself.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .. import iris
from ..namespaces import DCTERMS, OWL, PREFIXES, RDF, RDFS, SCG, SH, SKOS, VANN, XSD
from .describe import curie, local_name, safe_href, spoken

# -- Names and links ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """One thing named on a page: a label (ours) or a prefixed name (other vocabularies),
    linked to our page about it or to its official documentation."""

    text: str
    href: str | None = None
    iri: str = ""
    curie: str = ""
    """Shown in brackets after the label (our terms); empty when *text* is the prefixed name."""
    code: bool = False
    """*text* is a prefixed name, an IRI, a pattern or a literal value: shown as code."""
    note: str = ""
    """A literal's language tag or datatype."""


Words = tuple[str | Ref, ...]


def _home(home: str) -> Callable[[str], str]:
    return lambda _: home


def _skos(local: str) -> str:
    sections = {
        "Concept": "concepts",
        "ConceptScheme": "schemes",
        "inScheme": "schemes",
        "hasTopConcept": "schemes",
        "topConceptOf": "schemes",
        "prefLabel": "labels",
        "altLabel": "labels",
        "hiddenLabel": "labels",
        "notation": "notations",
        "definition": "notes",
        "note": "notes",
        "scopeNote": "notes",
        "broader": "semantic-relations",
        "narrower": "semantic-relations",
        "related": "semantic-relations",
    }
    return "https://www.w3.org/TR/skos-reference/#" + sections.get(local, "")


_RDF_SCHEMA = "https://www.w3.org/TR/rdf11-schema/"
_DCMI = "https://www.dublincore.org/specifications/dublin-core/dcmi-terms/"
_DCAT = "https://www.w3.org/TR/vocab-dcat-3/"

#: The official documentation of each vocabulary we reuse, by its prefix in
#: :data:`..namespaces.PREFIXES`: (title, home page, a term's documentation from its local name).
DOCUMENTATION: dict[str, tuple[str, str, Callable[[str], str]]] = {
    "schema": ("schema.org", "https://schema.org/", lambda t: f"https://schema.org/{t}"),
    "foaf": (
        "FOAF",
        "http://xmlns.com/foaf/spec/",
        lambda t: f"http://xmlns.com/foaf/spec/#term_{t}",
    ),
    "org": (
        "W3C Organization Ontology (ORG)",
        "https://www.w3.org/TR/vocab-org/",
        lambda t: f"https://www.w3.org/TR/vocab-org/#org:{t}",
    ),
    "prov": (
        "PROV-O: the PROV ontology",
        "https://www.w3.org/TR/prov-o/",
        lambda t: f"https://www.w3.org/TR/prov-o/#{t}",
    ),
    "skos": ("SKOS", "https://www.w3.org/TR/skos-reference/", _skos),
    "dcterms": ("DCMI Metadata Terms", _DCMI, lambda t: f"{_DCMI}terms/{t}/"),
    "dcat": (
        "DCAT",
        _DCAT,
        lambda t: f"{_DCAT}#Class:{t}" if t[:1].isupper() else _DCAT,
    ),
    "void": ("VoID", "https://www.w3.org/TR/void/", _home("https://www.w3.org/TR/void/")),
    "geo": (
        "W3C WGS84 Geo Positioning",
        "https://www.w3.org/2003/01/geo/",
        _home("https://www.w3.org/2003/01/geo/"),
    ),
    "rdf": ("RDF", _RDF_SCHEMA, lambda t: f"{_RDF_SCHEMA}#ch_{t.lower()}"),
    "rdfs": ("RDF Schema", _RDF_SCHEMA, lambda t: f"{_RDF_SCHEMA}#ch_{t.lower()}"),
    "owl": (
        "OWL 2",
        "https://www.w3.org/TR/owl2-overview/",
        _home("https://www.w3.org/TR/owl2-quick-reference/"),
    ),
    "xsd": (
        "XML Schema datatypes",
        "https://www.w3.org/TR/xmlschema11-2/",
        lambda t: f"https://www.w3.org/TR/xmlschema11-2/#{t}",
    ),
    "sh": ("SHACL", "https://www.w3.org/TR/shacl/", _home("https://www.w3.org/TR/shacl/")),
    "prof": (
        "Profiles Vocabulary",
        "https://www.w3.org/TR/dx-prof/",
        _home("https://www.w3.org/TR/dx-prof/"),
    ),
    "spdx": ("SPDX", "https://spdx.org/rdf/terms/", _home("https://spdx.org/rdf/terms/")),
    "vann": ("VANN", "https://vocab.org/vann/", _home("https://vocab.org/vann/")),
    "sd": (
        "SPARQL 1.1 Service Description",
        "https://www.w3.org/TR/sparql11-service-description/",
        _home("https://www.w3.org/TR/sparql11-service-description/"),
    ),
    "wd": (
        "Wikidata items",
        "https://www.wikidata.org/",
        lambda t: f"https://www.wikidata.org/wiki/{t}",
    ),
    "wdt": (
        "Wikidata properties",
        "https://www.wikidata.org/wiki/Wikidata:Database_reports/List_of_properties/all",
        lambda t: f"https://www.wikidata.org/wiki/Property:{t}",
    ),
}

_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def prefix_of(iri: str) -> str | None:
    """The prefix of the longest namespace of :data:`PREFIXES` that *iri* is in."""
    return next((prefix for prefix, ns in _BY_LENGTH if iri.startswith(ns)), None)


def documentation(iri: str) -> str | None:
    """Where a person reads about *iri*: its vocabulary's documentation, or the IRI itself
    when it is an http(s) address; ``None`` for anything else (never a ``javascript:`` link)."""
    prefix = prefix_of(iri)
    if prefix in DOCUMENTATION:
        assert prefix is not None
        local = iri[len(PREFIXES[prefix]) :]
        _, home, term = DOCUMENTATION[prefix]
        return term(local) if local else home
    return safe_href(iri)


def english(graph: Graph, node: Node, *predicates: URIRef) -> str:
    """The first English (or untagged) literal of *node* by *predicates*, in their order."""
    for predicate in predicates:
        found = sorted(
            (o for o in graph.objects(node, predicate) if isinstance(o, Literal)),
            key=lambda lit: (lit.language not in ("en", None), lit.language or "", str(lit)),
        )
        if found and (found[0].language in ("en", None)):
            return str(found[0])
    return ""


def _literal_note(literal: Literal) -> str:
    if literal.language:
        return literal.language
    if literal.datatype and literal.datatype != XSD.string:
        return curie(str(literal.datatype))
    return ""


@dataclass(frozen=True)
class Namer:
    """How a page names and links a node: our things by label (a term without one by its
    local name), linked to their page on this server; terms of other vocabularies by prefixed
    name, linked to their official documentation; literals as they are."""

    labels: Mapping[str, str]
    here: Callable[[str], str]
    """Our IRI -> where this server answers for it (``iris.to_local`` with the root)."""

    def ref(self, node: Node, shorten: int = 0) -> Ref:
        if isinstance(node, URIRef):
            iri = str(node)
            if iris.is_ours(iri):
                name = curie(iri)
                label = self.labels.get(iri) or iris.term(iri) or local_name(iri)
                href = self.here(iri)
                safe = safe_href(href)
                shown = name if iris.term(iri) and name != label else ""
                return Ref(label, safe, iri, shown)
            name = curie(iri)
            return Ref(name, documentation(iri), iri, code=True)
        if isinstance(node, Literal):
            text = str(node)
            if shorten and len(text) > shorten:
                text = text[: shorten - 1].rstrip() + "…"
            return Ref(text, note=_literal_note(node))
        return Ref("(a blank node)")

    def spoken_ref(self, node: URIRef, name: str = "") -> Words:
        """A property named in a sentence: ``committed city (scg:committedCity)`` (ours, by
        label) or ``contained in place (schema:containedInPlace)`` (its local name in words,
        or the shape's own ``sh:name``)."""
        ref = self.ref(node)
        if iris.is_ours(str(node)) or not ref.code:
            return (ref,)
        return (f"{name or spoken(local_name(str(node)))} (", ref, ")")


def _join(items: Sequence[Words], last: str = " and ", sep: str = ", ") -> Words:
    out: list[str | Ref] = []
    for index, item in enumerate(items):
        if index:
            out.append(last if index == len(items) - 1 else sep)
        out.extend(item)
    return tuple(out)


def plain(words: Words) -> str:
    """A sentence as plain text (for tests and titles)."""
    return "".join(
        w
        if isinstance(w, str)
        else w.text + (f" ({w.curie})" if w.curie else "") + (f" {w.note}" if w.note else "")
        for w in words
    )


# -- The ontology --------------------------------------------------------------------------

CLASS_TYPES: dict[Node, str] = {OWL.Class: "class", RDFS.Class: "class"}
PROPERTY_TYPES: dict[Node, str] = {
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "datatype property",
    OWL.AnnotationProperty: "annotation property",
    RDF.Property: "property",
}
CHARACTERISTICS: dict[Node, str] = {
    OWL.FunctionalProperty: "functional",
    OWL.InverseFunctionalProperty: "inverse functional",
    OWL.TransitiveProperty: "transitive",
    OWL.SymmetricProperty: "symmetric",
}


@dataclass(frozen=True)
class Example:
    """One use of a term in the data: an instance of a class, or a subject with its value."""

    subject: Ref
    value: Ref | None = None


@dataclass(frozen=True)
class TermView:
    iri: str
    name: str
    """The local name: the page's anchor (``/def#RoadmapCommitment``) and URL segment."""
    label: str
    labelled: bool
    """False when the ontology gives no label and :attr:`label` is the local name."""
    curie: str
    href: str
    is_class: bool
    kind: str
    characteristics: tuple[str, ...]
    comment: str
    domain: tuple[Ref, ...]
    range: tuple[Ref, ...]
    supers: tuple[Ref, ...]
    subs: tuple[Ref, ...]
    equivalents: tuple[Ref, ...]
    see_also: tuple[Ref, ...]
    domain_of: tuple[Ref, ...]
    """For a class: our properties whose domain it is."""
    range_of: tuple[Ref, ...]
    """For a class: our properties whose range it is."""
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class VocabularyUse:
    """A vocabulary the ontology reuses, and which of its terms ours refer to."""

    prefix: str
    namespace: str
    title: str
    href: str | None
    terms: tuple[Ref, ...]


@dataclass(frozen=True)
class ConceptView:
    concept: Ref
    definition: str


@dataclass(frozen=True)
class SchemeView:
    scheme: Ref
    description: str
    concepts: tuple[ConceptView, ...]
    used_by: tuple[Ref, ...]
    """Our properties whose values in the data are concepts of this scheme."""
    in_ontology: bool


@dataclass(frozen=True)
class OntologyView:
    iri: str
    title: str
    description: str
    version: str
    issued: str
    modified: str
    licence: Ref | None
    creators: tuple[Ref, ...]
    publishers: tuple[Ref, ...]
    prefix: str
    namespace: str
    imports: tuple[Ref, ...]
    see_also: tuple[Ref, ...]
    reused: tuple[VocabularyUse, ...]
    classes: tuple[TermView, ...]
    properties: tuple[TermView, ...]
    schemes: tuple[SchemeView, ...] = field(default_factory=tuple)

    def term(self, name: str) -> TermView | None:
        return next((t for t in (*self.classes, *self.properties) if t.name == name), None)


def terms(graph: Graph) -> list[tuple[str, bool]]:
    """``(IRI, is a class)`` of every term of our namespace that *graph* describes, sorted."""
    found = {str(s) for s in graph.subjects() if isinstance(s, URIRef) and iris.term(str(s))}
    return [(iri, _is_class(graph, URIRef(iri))) for iri in sorted(found)]


def _is_class(graph: Graph, term: URIRef) -> bool:
    types = set(graph.objects(term, RDF.type))
    if types & CLASS_TYPES.keys():
        return True
    if types & PROPERTY_TYPES.keys() or types & CHARACTERISTICS.keys():
        return False
    return iris.term(str(term)) is not None and str(iris.term(str(term)))[:1].isupper()


def ontology_labels(graph: Graph) -> dict[str, str]:
    """The English label of every labelled node of the ontology graph."""
    labels: dict[str, str] = {}
    for subject in set(graph.subjects()):
        label = english(graph, subject, RDFS.label, SKOS.prefLabel, DCTERMS.title)
        if label and isinstance(subject, URIRef):
            labels[str(subject)] = label
    return labels


def licence_name(url: str) -> str:
    """``CC BY 4.0`` for a Creative Commons licence URL; the URL otherwise."""
    match = re.search(r"creativecommons\.org/licenses/([a-z-]+)/(\d+(?:\.\d+)?)", url)
    if match:
        return f"CC {match[1].upper()} {match[2]}"
    match = re.search(r"creativecommons\.org/publicdomain/zero/(\d+(?:\.\d+)?)", url)
    if match:
        return f"CC0 {match[1]}"
    return url


def _refs(namer: Namer, nodes: Iterable[Node]) -> tuple[Ref, ...]:
    refs = {namer.ref(n) for n in nodes}
    return tuple(sorted(refs, key=lambda r: (not iris.is_ours(r.iri), r.text.lower(), r.iri)))


def _term_view(
    graph: Graph,
    iri: str,
    is_class: bool,
    namer: Namer,
    uses: Sequence[tuple[Node, Node | None]],
    ours: set[str],
) -> TermView:
    term = URIRef(iri)
    name = iris.term(iri) or local_name(iri)
    label = english(graph, term, RDFS.label, SKOS.prefLabel)
    types = set(graph.objects(term, RDF.type))
    kinds = [CLASS_TYPES.get(t) or PROPERTY_TYPES.get(t) for t in sorted(types, key=str)]
    kind = next((k for k in kinds if k), "class" if is_class else "property")
    parent = RDFS.subClassOf if is_class else RDFS.subPropertyOf
    equivalent = OWL.equivalentClass if is_class else OWL.equivalentProperty
    return TermView(
        iri=iri,
        name=name,
        label=label or name,
        labelled=bool(label),
        curie=curie(iri),
        href=namer.here(iri),
        is_class=is_class,
        kind=kind,
        characteristics=tuple(sorted(CHARACTERISTICS[t] for t in types if t in CHARACTERISTICS)),
        comment=english(graph, term, RDFS.comment, SKOS.definition, DCTERMS.description),
        domain=_refs(namer, graph.objects(term, RDFS.domain)),
        range=_refs(namer, graph.objects(term, RDFS.range)),
        supers=_refs(namer, graph.objects(term, parent)),
        subs=_refs(namer, graph.subjects(parent, term)),
        equivalents=_refs(namer, graph.objects(term, equivalent)),
        see_also=_refs(namer, graph.objects(term, RDFS.seeAlso)),
        domain_of=_refs(namer, (p for p in graph.subjects(RDFS.domain, term) if str(p) in ours)),
        range_of=_refs(namer, (p for p in graph.subjects(RDFS.range, term) if str(p) in ours)),
        examples=tuple(
            Example(namer.ref(s), None if o is None else namer.ref(o, shorten=90)) for s, o in uses
        ),
    )


def _reused(graph: Graph, ontology: URIRef, namer: Namer) -> tuple[VocabularyUse, ...]:
    """The vocabularies the ontology imports, points to (``rdfs:seeAlso``), or whose terms
    its own terms refer to (domain, range, super- and equivalent terms)."""
    linking = (
        RDFS.domain,
        RDFS.range,
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        OWL.equivalentClass,
        OWL.equivalentProperty,
    )
    used: dict[str, set[str]] = {}
    for iri, _ in terms(graph):
        for predicate in linking:
            for obj in graph.objects(URIRef(iri), predicate):
                prefix = prefix_of(str(obj)) if isinstance(obj, URIRef) else None
                if prefix and prefix != "scg":
                    used.setdefault(prefix, set()).add(str(obj))
    for obj in (*graph.objects(ontology, OWL.imports), *graph.objects(ontology, RDFS.seeAlso)):
        prefix = prefix_of(str(obj)) if isinstance(obj, URIRef) else None
        if prefix and prefix != "scg":
            used.setdefault(prefix, set())
        elif isinstance(obj, URIRef):
            # A namespace IRI such as <https://schema.org/> is the vocabulary itself.
            match = next((p for p, ns in PREFIXES.items() if ns.rstrip("/#") == str(obj)), None)
            if match and match != "scg":
                used.setdefault(match, set())
    vocabularies = []
    for prefix in sorted(used, key=lambda p: DOCUMENTATION.get(p, (p,))[0].lower()):
        title, home, _ = DOCUMENTATION.get(prefix, (prefix, PREFIXES[prefix], _home("")))
        vocabularies.append(
            VocabularyUse(
                prefix=prefix,
                namespace=PREFIXES[prefix],
                title=title,
                href=home or None,
                terms=_refs(namer, (URIRef(t) for t in used[prefix])),
            )
        )
    return tuple(vocabularies)


def ontology_view(
    graph: Graph,
    namer: Namer,
    uses: Mapping[str, Sequence[tuple[Node, Node | None]]] | None = None,
    schemes: tuple[SchemeView, ...] = (),
) -> OntologyView:
    """Everything the ontology page shows. *graph* is the ontology graph; *uses* maps a
    term's IRI to a few of its uses in the data (``(instance, None)`` for a class,
    ``(subject, value)`` for a property); *namer* knows the labels of what they mention."""
    ontology = next(
        (s for s in graph.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef)),
        iris.ONTOLOGY,
    )
    namer = Namer({**namer.labels, **ontology_labels(graph)}, namer.here)
    uses = uses or {}
    found = terms(graph)
    ours = {iri for iri, _ in found}
    views = [
        _term_view(graph, iri, is_class, namer, uses.get(iri, ()), ours) for iri, is_class in found
    ]
    licence = graph.value(ontology, DCTERMS.license)
    return OntologyView(
        iri=str(ontology),
        title=english(graph, ontology, DCTERMS.title, RDFS.label) or curie(str(ontology)),
        description=english(graph, ontology, DCTERMS.description, RDFS.comment),
        version=str(graph.value(ontology, OWL.versionInfo) or ""),
        issued=str(graph.value(ontology, DCTERMS.issued) or ""),
        modified=str(graph.value(ontology, DCTERMS.modified) or ""),
        licence=(
            Ref(licence_name(str(licence)), documentation(str(licence)), str(licence))
            if isinstance(licence, URIRef)
            else None
        ),
        creators=_refs(namer, graph.objects(ontology, DCTERMS.creator)),
        publishers=_refs(namer, graph.objects(ontology, DCTERMS.publisher)),
        prefix=str(graph.value(ontology, VANN.preferredNamespacePrefix) or "scg"),
        namespace=str(graph.value(ontology, VANN.preferredNamespaceUri) or SCG),
        imports=_refs(namer, graph.objects(ontology, OWL.imports)),
        see_also=_refs(namer, graph.objects(ontology, RDFS.seeAlso)),
        reused=_reused(graph, ontology, namer),
        classes=tuple(sorted((v for v in views if v.is_class), key=lambda v: v.name.lower())),
        properties=tuple(
            sorted((v for v in views if not v.is_class), key=lambda v: v.name.lower())
        ),
        schemes=schemes,
    )


def scheme_views(
    graph: Graph,
    namer: Namer,
    used_by: Mapping[str, Iterable[str]],
    ontology: Graph | None = None,
) -> tuple[SchemeView, ...]:
    """The SKOS concept schemes in *graph* with their concepts. *used_by* maps a scheme to
    our properties whose values are its concepts; a scheme the *ontology* graph itself
    types is marked as defined there."""
    views = []
    for scheme in sorted(
        (s for s in graph.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)),
        key=str,
    ):
        concepts = {c for c in graph.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)}
        concepts |= {c for c in graph.objects(scheme, SKOS.hasTopConcept) if isinstance(c, URIRef)}
        views.append(
            SchemeView(
                scheme=namer.ref(scheme),
                description=english(
                    graph, scheme, DCTERMS.description, SKOS.definition, RDFS.comment
                ),
                concepts=tuple(
                    sorted(
                        (
                            ConceptView(
                                namer.ref(c), english(graph, c, SKOS.definition, RDFS.comment)
                            )
                            for c in concepts
                        ),
                        key=lambda v: v.concept.text.lower(),
                    )
                ),
                used_by=_refs(namer, (URIRef(p) for p in used_by.get(str(scheme), ()))),
                in_ontology=ontology is not None
                and (scheme, RDF.type, SKOS.ConceptScheme) in ontology,
            )
        )
    return tuple(views)


# -- The shapes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One constraint on the values of one path (or on the focus node itself), in words."""

    path: Words
    """``name (schema:name)``; empty for a constraint on the focus node itself."""
    path_iri: str
    path_name: str
    """The path as a prefixed name (``schema:name``, ``^scg:committedCity``), or in words."""
    inverse: bool
    sentence: Words
    message: str
    severity: str
    shared: str = ""
    """The named property shape this rule comes from (``hasSource``), if any."""


@dataclass(frozen=True)
class SparqlRule:
    message: str
    severity: str
    query: str
    deactivated: bool = False


@dataclass(frozen=True)
class ShapeView:
    iri: str
    name: str
    """The shape's local name: the anchor on the shapes page (``/shapes#CityShape``)."""
    comment: str
    targets: tuple[Words, ...]
    used_by: tuple[Ref, ...]
    """Shapes that refer to this one (``sh:node``, ``sh:or``...)."""
    rules: tuple[Rule, ...]
    sparql: tuple[SparqlRule, ...]
    deactivated: bool
    mentions: frozenset[str]
    """Every IRI its targets and constraints refer to, SPARQL queries included."""


@dataclass(frozen=True)
class ShapesView:
    iri: str
    label: str
    version: str
    comment: str
    shapes: tuple[ShapeView, ...]

    def about(self, iri: str) -> tuple[ShapeView, ...]:
        """The shapes whose targets or constraints refer to *iri*."""
        return tuple(shape for shape in self.shapes if iri in shape.mentions)


SEVERITIES: dict[Node, str] = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
NODE_KINDS: dict[Node, str] = {
    SH.IRI: "an IRI",
    SH.Literal: "a literal",
    SH.BlankNode: "a blank node",
    SH.BlankNodeOrIRI: "an IRI or a blank node",
    SH.IRIOrLiteral: "an IRI or a literal",
    SH.BlankNodeOrLiteral: "a blank node or a literal",
}
DATATYPES: dict[Node, str] = {
    XSD.string: "a plain string",
    RDF.langString: "a language-tagged string",
    XSD.date: "a date",
    XSD.dateTime: "a date and time",
    XSD.gYear: "a year",
    XSD.decimal: "a decimal number",
    XSD.integer: "an integer",
    XSD.nonNegativeInteger: "a non-negative integer",
    XSD.positiveInteger: "a positive integer",
    XSD.double: "a floating-point number",
    XSD.boolean: "true or false",
    XSD.anyURI: "a URI",
    XSD.token: "a token",
    XSD.hexBinary: "hexadecimal bytes",
}
#: Parts of a shape that are not constraints on its values, or are described apart.
_NOT_VALUE_CONSTRAINTS = {
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.deactivated,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.property,
    SH.sparql,
    SH.flags,
    SH.ignoredProperties,
    *TARGETS,
}
#: Constraint components :func:`_constraints` has words for.
_DESCRIBED = frozenset(
    {
        SH["class"],
        SH.datatype,
        SH.nodeKind,
        SH["in"],
        SH.hasValue,
        SH.node,
        SH["or"],
        SH["and"],
        SH.xone,
        SH["not"],
        SH.pattern,
        SH.minInclusive,
        SH.maxInclusive,
        SH.minExclusive,
        SH.maxExclusive,
        SH.minLength,
        SH.maxLength,
        SH.uniqueLang,
        SH.languageIn,
        SH.equals,
        SH.disjoint,
        SH.lessThan,
        SH.lessThanOrEquals,
        SH.closed,
    }
)
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _number(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def _article(text: str) -> str:
    return "an" if text[:1].lower() in "aeiou" else "a"


def _severity(graph: Graph, node: Node, default: str = "violation") -> str:
    value = graph.value(node, SH.severity)
    if value is None:
        return default
    return SEVERITIES.get(value, curie(str(value)))


def _items(graph: Graph, node: Node) -> list[Node]:
    try:
        return list(Collection(graph, node))
    except Exception:  # a malformed list is shown as what it is: nothing
        return []


def _value(namer: Namer, node: Node) -> Ref:
    """A value a constraint names: a literal as code (with its language, never its
    datatype: ``90``, not ``90 xsd:integer``), anything else by :meth:`Namer.ref`."""
    if isinstance(node, Literal):
        return Ref(str(node), code=True, note=node.language or "")
    return namer.ref(node)


def _a(namer: Namer, node: Node) -> Words:
    ref = namer.ref(node)
    return (_article(ref.text) + " ", ref)


def _datatype(namer: Namer, node: Node) -> Words:
    words = DATATYPES.get(node)
    ref = namer.ref(node)
    return (words + " (", ref, ")") if words else ("a value of datatype ", ref)


def _path(graph: Graph, path: Node | None, namer: Namer, name: str) -> tuple[Words, str, bool]:
    """``(words, predicate IRI, inverse)`` of a property path."""
    if isinstance(path, URIRef):
        return namer.spoken_ref(path, name), str(path), False
    if path is None:
        return (), "", False
    inverse = graph.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return namer.spoken_ref(inverse, name), str(inverse), True
    for predicate, joiner in ((SH.alternativePath, " or "),):
        items = graph.value(path, predicate)
        if items is not None:
            parts = [_path(graph, item, namer, "")[0] for item in _items(graph, items)]
            return _join(parts, joiner, joiner), "", False
    for predicate, words in (
        (SH.zeroOrMorePath, "zero or more steps of "),
        (SH.oneOrMorePath, "one or more steps of "),
        (SH.zeroOrOnePath, "at most one step of "),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return (words, *_path(graph, inner, namer, "")[0]), "", False
    steps = _items(graph, path)
    if steps:
        parts = [_path(graph, step, namer, "")[0] for step in steps]
        return (*_join(parts, " then ", " then "),), "", False
    return ("a path",), "", False


#: A phrase about the values and its part of speech in a sentence: ``noun`` (what the value
#: is: ``a schema:Country``), ``qualifier`` (``matching the pattern ...``), ``after`` (said
#: after a comma: ``at most one per language``) or ``has`` (``sh:hasValue``).
Phrase = tuple[str, Words]


def _constraints(graph: Graph, node: Node, namer: Namer) -> list[Phrase]:
    """The constraints on the values of *node* (a property shape, or a node shape for its
    focus node), each as a phrase: ``a schema:Country``, ``matching the pattern ^...$``."""
    phrases: list[Phrase] = []
    for cls in sorted(graph.objects(node, SH["class"]), key=str):
        phrases.append(("noun", _a(namer, cls)))
    for datatype in sorted(graph.objects(node, SH.datatype), key=str):
        phrases.append(("noun", _datatype(namer, datatype)))
    for kind in graph.objects(node, SH.nodeKind):
        phrases.append(("noun", (NODE_KINDS.get(kind, curie(str(kind))),)))
    for values in graph.objects(node, SH["in"]):
        items = [(_value(namer, v),) for v in _items(graph, values)]
        phrases.append(("noun", ("one of ", *_join(items, " or "))))
    for predicate, lead, joiner in (
        (SH["or"], "either ", " or "),
        (SH["and"], "", " and "),
        (SH.xone, "exactly one of ", " or "),
    ):
        for members in graph.objects(node, predicate):
            alternatives = [_member(graph, m, namer) for m in _items(graph, members)]
            phrases.append(("noun", (lead, *_join(alternatives, joiner, ", "))))
    for negated in graph.objects(node, SH["not"]):
        phrases.append(("noun", ("not ", *_member(graph, negated, namer))))
    for shape in sorted(graph.objects(node, SH.node), key=str):
        phrases.append(("qualifier", ("conforming to ", namer.ref(shape))))
    for pattern in graph.objects(node, SH.pattern):
        flags = graph.value(node, SH.flags)
        phrases.append(
            (
                "qualifier",
                ("matching the pattern ", Ref(str(pattern), code=True))
                + ((f" (flags {flags})",) if flags else ()),
            )
        )
    low, high = graph.value(node, SH.minInclusive), graph.value(node, SH.maxInclusive)
    if low is not None and high is not None:
        phrases.append(("qualifier", ("from ", _value(namer, low), " to ", _value(namer, high))))
    elif low is not None:
        phrases.append(("qualifier", ("of at least ", _value(namer, low))))
    elif high is not None:
        phrases.append(("qualifier", ("of at most ", _value(namer, high))))
    for predicate, words in ((SH.minExclusive, "greater than "), (SH.maxExclusive, "less than ")):
        for bound in graph.objects(node, predicate):
            phrases.append(("qualifier", (words, _value(namer, bound))))
    for predicate, text in (
        (SH.minLength, "of at least {} characters"),
        (SH.maxLength, "of at most {} characters"),
    ):
        for length in graph.objects(node, predicate):
            phrases.append(("qualifier", (text.format(length),)))
    for languages in graph.objects(node, SH.languageIn):
        tags = [(Ref(str(t), code=True),) for t in _items(graph, languages)]
        phrases.append(("qualifier", ("in language ", *_join(tags, " or "))))
    if graph.value(node, SH.uniqueLang) == Literal(True):
        phrases.append(("after", ("at most one per language",)))
    for value in sorted(graph.objects(node, SH.hasValue), key=str):
        phrases.append(("has", (_value(namer, value),)))
    for predicate, words in (
        (SH.equals, "the same as its "),
        (SH.disjoint, "never one of its "),
        (SH.lessThan, "less than its "),
        (SH.lessThanOrEquals, "at most its "),
    ):
        for other in graph.objects(node, predicate):
            if isinstance(other, URIRef):
                phrases.append(("after", (words, *namer.spoken_ref(other))))
    if graph.value(node, SH.closed) == Literal(True):
        phrases.append(("after", ("with no property other than those listed here",)))
    for component, obj in sorted(
        graph.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1]))
    ):
        known = component in _DESCRIBED or component in _NOT_VALUE_CONSTRAINTS
        if str(component).startswith(str(SH)) and not known:
            # A constraint this page has no words for is still shown, never dropped.
            phrases.append(("after", ("with ", namer.ref(component), " ", _value(namer, obj))))
    return phrases


def _member(graph: Graph, member: Node, namer: Namer) -> Words:
    """One shape of an ``sh:or``/``sh:and``/``sh:xone`` list, or of ``sh:not``."""
    if isinstance(member, BNode):
        return _clause(_constraints(graph, member, namer))
    return ("conforming to ", namer.ref(member))


def _clause(phrases: Sequence[Phrase], exactly_one: bool = False) -> Words:
    """What the values must be: ``a plain string (xsd:string) matching the pattern ^..$,
    at most one per language``."""
    nouns = [w for kind, w in phrases if kind == "noun"]
    qualifiers = [w for kind, w in phrases if kind == "qualifier"]
    after = [w for kind, w in phrases if kind == "after"]
    has = [w for kind, w in phrases if kind == "has"]
    if has:
        lead = "equal to " if exactly_one else "including "
        qualifiers += [(lead, *_join(has))]
    words: Words = _join(nouns)
    if qualifiers:
        words = (*words, " ", *_join(qualifiers)) if nouns else _join(qualifiers)
    if after:
        words = (*words, ", " if words else "", *_join(after, ", ", ", "))
    return words


def _count(low: int, high: int | None) -> tuple[str, str]:
    """``(lead, quantity)`` of a count: ``("Must have", "exactly one")``."""
    if high == 0:
        return "Must not have", "any"
    if low == 0 and high is None:
        return "", ""
    if high is not None and low == high:
        return "Must have", f"exactly {_number(low)}"
    if high is None:
        return "Must have", f"at least {_number(low)}"
    if low == 0:
        return "May have", f"at most {_number(high)}"
    return "Must have", f"between {_number(low)} and {_number(high)}"


def _int(node: Node | None) -> int | None:
    return int(node) if isinstance(node, Literal) else None


def _sentence(graph: Graph, shape: Node, namer: Namer, path: Words, inverse: bool) -> Words:
    """A property shape as a sentence about the focus node."""
    low = _int(graph.value(shape, SH.minCount)) or 0
    high = _int(graph.value(shape, SH.maxCount))
    lead, quantity = _count(low, high)
    phrases = _constraints(graph, shape, namer)
    single = quantity in ("exactly one", "at least one", "at most one", "any")
    if inverse:
        classes = sorted(graph.objects(shape, SH["class"]), key=str)
        rest = [p for p in phrases if p not in [("noun", _a(namer, c)) for c in classes]]
        whom: Words = _join([(namer.ref(c),) for c in classes], " or ")
        if not lead:
            what = _clause(phrases)
            if not what:
                return ("May be the value of ", *path, " on any resource.")
            return ("Whatever has it as its ", *path, " must be ", *what, ".")
        verb = {"Must not have": "Must not be", "May have": "May be"}.get(lead, "Must be")
        noun: Words = whom or (("resource",) if single else ("resources",))
        tail: Words = (", which must be ", *_clause(rest)) if rest else ()
        return (f"{verb} the value of ", *path, f" on {quantity} ", *noun, *tail, ".")
    what = _clause(phrases, exactly_one=high == 1)
    if not lead:
        if not what:
            return ("May have any number of ", *path, ", with no constraint on them.")
        if all(kind == "has" for kind, _ in phrases):
            values = _join([w for _, w in phrases])
            return ("One of its values of ", *path, " must be ", *values, ".")
        return ("Any ", *path, " must be ", *what, ".")
    head: Words = (f"{lead} {quantity} ", *path)
    if not single:
        head = (f"{lead} {quantity} values of ", *path)
    return (*head, ", ", *what, ".") if what else (*head, ".")


def _message(graph: Graph, node: Node) -> str:
    return english(graph, node, SH.message)


def _rule(graph: Graph, shape: Node, namer: Namer, default: str, shared: str = "") -> Rule:
    name = english(graph, shape, SH.name)
    path, path_iri, inverse = _path(graph, graph.value(shape, SH.path), namer, name)
    return Rule(
        path=path,
        path_iri=path_iri,
        path_name=("^" if inverse else "") + curie(path_iri) if path_iri else plain(path),
        inverse=inverse,
        sentence=_sentence(graph, shape, namer, path, inverse),
        message=_message(graph, shape),
        severity=_severity(graph, shape, default),
        shared=shared,
    )


def _targets(graph: Graph, shape: Node, namer: Namer) -> tuple[Words, ...]:
    targets: list[Words] = []
    for cls in sorted(graph.objects(shape, SH.targetClass), key=str):
        targets.append(("every ", namer.ref(cls)))
    for node in sorted(graph.objects(shape, SH.targetNode), key=str):
        targets.append(("the node ", namer.ref(node)))
    for predicate in sorted(graph.objects(shape, SH.targetSubjectsOf), key=str):
        targets.append(("everything with a value of ", namer.ref(predicate)))
    for predicate in sorted(graph.objects(shape, SH.targetObjectsOf), key=str):
        targets.append(("every value of ", namer.ref(predicate)))
    if (shape, RDF.type, RDFS.Class) in graph or (shape, RDF.type, OWL.Class) in graph:
        targets.append(("every instance of ", namer.ref(shape)))
    return tuple(targets)


def _owner(graph: Graph, node: Node, shapes: set[Node], depth: int = 0) -> set[Node]:
    """The node shapes that *node* is part of (through property shapes and lists)."""
    if node in shapes and depth:
        return {node}
    if depth > 8:
        return set()
    found: set[Node] = set()
    for subject in set(graph.subjects(None, node)):
        found |= _owner(graph, subject, shapes, depth + 1)
    return found


def _sparql_terms(query: str, declared: Mapping[str, str]) -> set[str]:
    found = set(re.findall(r"<(https?://[^>\s]+)>", query))
    for prefix, local in re.findall(r"(?<![\w:<])([A-Za-z][\w-]*):([A-Za-z_][\w-]*)", query):
        if prefix in declared:
            found.add(declared[prefix] + local)
    return found


def _mentions(graph: Graph, shape: Node, seen: set[Node] | None = None) -> set[str]:
    """Every IRI in the shape's description, following blank nodes and named property shapes."""
    seen = seen if seen is not None else set()
    if shape in seen:
        return set()
    seen.add(shape)
    found: set[str] = set()
    for predicate, obj in graph.predicate_objects(shape):
        if predicate in (SH.message, SH.name, SH.description, SH.prefixes, RDFS.comment):
            continue
        if isinstance(obj, URIRef) and predicate != RDF.type:
            found.add(str(obj))
            if (obj, RDF.type, SH.PropertyShape) in graph or predicate == SH.property:
                found |= _mentions(graph, obj, seen)
        elif isinstance(obj, BNode):
            found |= _mentions(graph, obj, seen)
    return found


def shapes_view(graph: Graph, namer: Namer) -> ShapesView:
    """Every node shape of *graph* in words: what it applies to, each property constraint as
    a sentence with its message and severity, and its SPARQL constraints."""
    declared = dict(PREFIXES)
    for declaration in graph.objects(None, SH.declare):
        prefix, namespace = (
            graph.value(declaration, SH.prefix),
            graph.value(declaration, SH.namespace),
        )
        if prefix is not None and namespace is not None:
            declared[str(prefix)] = str(namespace)
    node_shapes: set[Node] = set(graph.subjects(RDF.type, SH.NodeShape))
    for target in TARGETS:
        node_shapes |= set(graph.subjects(target, None))
    named: set[Node] = {s for s in node_shapes if isinstance(s, URIRef)}
    views = []
    for shape in sorted(named, key=lambda s: local_name(str(s)).lower()):
        default = _severity(graph, shape)
        rules: list[Rule] = []
        own = _clause(_constraints(graph, shape, namer))
        if own and graph.value(shape, SH.path) is None:
            rules.append(
                Rule(
                    path=(),
                    path_iri="",
                    path_name="",
                    inverse=False,
                    sentence=("Must be ", *own, "."),
                    message=_message(graph, shape),
                    severity=default,
                )
            )
        if graph.value(shape, SH.path) is not None:
            rules.append(_rule(graph, shape, namer, default))
        for prop in graph.objects(shape, SH.property):
            shared = local_name(str(prop)) if isinstance(prop, URIRef) else ""
            rules.append(_rule(graph, prop, namer, default, shared))
        rules.sort(
            key=lambda r: (bool(r.path), r.inverse, plain(r.path).lower(), plain(r.sentence))
        )
        sparql = []
        mentions = _mentions(graph, shape)
        for constraint in graph.objects(shape, SH.sparql):
            query = str(graph.value(constraint, SH.select) or graph.value(constraint, SH.ask) or "")
            query = textwrap.dedent(query.strip("\n")).strip()
            mentions |= _sparql_terms(query, declared)
            sparql.append(
                SparqlRule(
                    message=_message(graph, constraint),
                    severity=_severity(graph, constraint, default),
                    query=query,
                    deactivated=graph.value(constraint, SH.deactivated) == Literal(True),
                )
            )
        sparql.sort(key=lambda s: (s.message, s.query))
        used_by = {
            owner
            for predicate in (SH.node, SH["not"])
            for ref in graph.subjects(predicate, shape)
            for owner in _owner(graph, ref, named)
        } | {
            owner
            for rest in graph.subjects(RDF.first, shape)
            for owner in _owner(graph, rest, named)
        }
        views.append(
            ShapeView(
                iri=str(shape),
                name=local_name(str(shape)),
                comment=english(graph, shape, RDFS.comment, SH.description),
                targets=_targets(graph, shape, namer),
                used_by=_refs(namer, (o for o in used_by if o != shape)),
                rules=tuple(rules),
                sparql=tuple(sparql),
                deactivated=graph.value(shape, SH.deactivated) == Literal(True),
                mentions=frozenset(mentions),
            )
        )
    ontology = next(
        (s for s in graph.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef)), iris.SHAPES
    )
    return ShapesView(
        iri=str(ontology),
        label=english(graph, ontology, RDFS.label, DCTERMS.title) or "SHACL shapes",
        version=str(graph.value(ontology, OWL.versionInfo) or ""),
        comment=english(graph, ontology, RDFS.comment, DCTERMS.description),
        shapes=tuple(views),
    )
