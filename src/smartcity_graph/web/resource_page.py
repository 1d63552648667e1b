"""The HTML page of one resource: its facts with their sources, what is one step away, the
things that link to it (grouped by property, counted and paged), and its formats.

The facts and their provenance come from :func:`describe_graph`; the page's words and order
from :func:`..graph.describe.resource_view` (pure)."""

from __future__ import annotations

from math import ceil
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from rdflib import Graph, URIRef
from rdflib.term import Node

from .. import iris
from ..graph.describe import IncomingGroup, Value, curie, property_label, resource_view, value_of
from ..namespaces import RDF, sparql_prologue
from .common import AppState, alternate_links, construct, iri_ok, root_url, select
from .render import render
from .worldmap import city_map

#: Incoming links shown per group and per page.
PAGE_SIZE = 20

#: Facts one step away, per kind: (label, graph pattern binding ?v, with $this the page's
#: resource). Shown among the key facts.
RELATED: dict[str, tuple[tuple[str, str], ...]] = {
    "city": (
        ("Commitment", "?v scg:committedCity $this ."),
        ("Policy areas committed to", "?c scg:committedCity $this ; scg:policyArea ?v ."),
        ("People who spoke for it", "?org schema:areaServed $this . ?v schema:affiliation ?org ."),
    ),
    "country": (("Pioneer cities", "?v a schema:City ; schema:containedInPlace $this ."),),
    "continent": (("Pioneer cities", "?v a schema:City ; scg:continent $this ."),),
    "person": (("Quotes", "?v schema:spokenByCharacter $this ."),),
    "organisation": (("People", "?v schema:affiliation $this ."),),
    "policy-area": (
        ("Cities committed to it", "?c scg:policyArea $this ; scg:committedCity ?v ."),
    ),
}


async def describe_graph(state: AppState, iri: str) -> Graph:
    """The resource's own triples, those of its hash-IRI parts (``{iri}#...``), and the
    ``rdf:Statement`` of each of its facts (which sources back it)."""
    if not iri_ok(iri):
        return Graph()
    return await construct(
        state,
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ BIND(<{iri}> AS ?s) ?s ?p ?o }} UNION "
        f'{{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{iri}#")) }} UNION '
        f"{{ ?s <{RDF.subject}> <{iri}> ; a <{RDF.Statement}> ; ?p ?o }} }}",
    )


async def labels_for(state: AppState, nodes: list[str]) -> dict[str, str]:
    wanted = [n for n in dict.fromkeys(nodes) if iri_ok(n)]
    if not wanted:
        return {}
    values = " ".join(f"<{n}>" for n in wanted)
    rows = await select(
        state,
        sparql_prologue("rdfs", "skos", "schema")
        + f"SELECT ?x ?label WHERE {{ VALUES ?x {{ {values} }} "
        "?x rdfs:label|skos:prefLabel|schema:name ?label "
        'FILTER(LANG(?label) = "en" || LANG(?label) = "") }',
    )
    labels: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: (r["x"]["value"], r["label"]["value"])):
        labels.setdefault(row["x"]["value"], row["label"]["value"])
    return labels


async def related_facts(state: AppState, kind: str, iri: str) -> list[tuple[str, Node]]:
    patterns = RELATED.get(kind, ())
    if not patterns or not iri_ok(iri):
        return []
    union = " UNION ".join(
        f"{{ {pattern.replace('$this', f'<{iri}>')} BIND({index} AS ?k) }}"
        for index, (_, pattern) in enumerate(patterns)
    )
    rows = await select(
        state,
        sparql_prologue("schema", "scg")
        + f"SELECT DISTINCT ?k ?v WHERE {{ {union} }} ORDER BY ?k ?v",
    )
    return [(patterns[int(row["k"]["value"])][0], URIRef(row["v"]["value"])) for row in rows]


async def incoming_groups(
    state: AppState, iri: str, wanted: tuple[str, int] | None
) -> tuple[list[tuple[str, int, list[str], int]], dict[str, tuple[str, str]]]:
    """``(predicate, count, subjects of the page shown, page)`` per property pointing at
    *iri* (statements about it are its facts' provenance, not links), and for each statement
    among the subjects, what it is about: ``(subject, predicate)``."""
    counts = await select(
        state,
        f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p <{iri}> FILTER(isIRI(?s)) "
        f"FILTER(?p != <{RDF.subject}> && ?p != <{RDF.object}>) }} GROUP BY ?p ORDER BY ?p",
    )
    groups = []
    for row in counts:
        predicate, count = row["p"]["value"], int(row["n"]["value"])
        page = wanted[1] if wanted and wanted[0] == predicate else 1
        if not iri_ok(predicate):
            continue
        subjects = await select(
            state,
            f"SELECT DISTINCT ?s WHERE {{ ?s <{predicate}> <{iri}> FILTER(isIRI(?s)) }} "
            f"ORDER BY ?s LIMIT {PAGE_SIZE} OFFSET {(page - 1) * PAGE_SIZE}",
        )
        groups.append((predicate, count, [s["s"]["value"] for s in subjects], page))
    statements = [s for _, _, subjects, _ in groups for s in subjects if "/id/statement/" in s]
    about: dict[str, tuple[str, str]] = {}
    if statements:
        values = " ".join(f"<{s}>" for s in statements if iri_ok(s))
        for row in await select(
            state,
            f"SELECT ?st ?s ?p WHERE {{ VALUES ?st {{ {values} }} "
            f"?st <{RDF.subject}> ?s ; <{RDF.predicate}> ?p }}",
        ):
            about[row["st"]["value"]] = (row["s"]["value"], row["p"]["value"])
    return groups, about


def sparql_link(root: str, iri: str) -> str:
    """The query UI, opened with the query that gives this page's facts."""
    query = (
        sparql_prologue("rdfs")
        + "# The facts about this resource, with the label of each value\n"
        + "SELECT ?property ?value ?valueLabel WHERE {\n"
        + f"  <{iri}> ?property ?value .\n"
        + '  OPTIONAL { ?value rdfs:label ?valueLabel FILTER(LANG(?valueLabel) IN ("en", "")) }\n'
        + "} ORDER BY ?property ?value\n"
    )
    return f"{root}sparql?{urlencode({'query': query}, quote_via=quote)}"


async def resource_page(
    state: AppState,
    request: Request,
    iri: str,
    headers: dict[str, str],
    graph: Graph | None = None,
) -> Response:
    graph = graph if graph is not None else await describe_graph(state, iri)
    root = root_url(state, request)
    parsed = iris.parse(iri)
    kind = parsed[0] if parsed else ""
    related = await related_facts(state, kind, iri)
    wanted = _wanted_page(request)
    groups, about = await incoming_groups(state, iri, wanted)
    mentioned = [str(n) for triple in graph for n in triple if isinstance(n, URIRef)]
    mentioned += [str(node) for _, node in related]
    mentioned += [p for p, _, _, _ in groups] + [
        s for _, _, subjects, _ in groups for s in subjects
    ]
    mentioned += [n for pair in about.values() for n in pair]
    labels = await labels_for(state, mentioned)

    def href(target: str) -> str:
        return iris.to_local(target, root)

    def item(subject: str) -> Value:
        if subject in about:
            of, predicate = about[subject]
            text = f"{labels.get(of, curie(of))}: {property_label(predicate, labels)}"
            return Value(text=text, href=href(subject), iri=subject)
        return value_of(URIRef(subject), labels, href)

    incoming = [
        IncomingGroup(
            label=property_label(predicate, labels),
            iri=predicate,
            count=count,
            items=tuple(item(s) for s in subjects),
            page=page,
            pages=max(1, ceil(count / PAGE_SIZE)),
        )
        for predicate, count, subjects, page in groups
    ]
    view = resource_view(iri, graph, labels, href, related=related, incoming=incoming)
    local = iris.to_local(iri, root)
    page = render(
        "resource.html",
        root=root,
        view=view,
        local=local,
        alternates=alternate_links(local),
        sparql=sparql_link(root, iri),
        map=city_map(view.coordinates[0], view.coordinates[1], view.label)
        if view.coordinates
        else "",
        page_link=lambda group, number: (
            f"{local}?{urlencode({'links': group.iri, 'page': number})}#links"
        ),
    )
    return HTMLResponse(page, headers=headers)


def _wanted_page(request: Request) -> tuple[str, int] | None:
    """``?links=PROPERTY&page=N``: which group of incoming links to page, and where."""
    predicate = request.query_params.get("links")
    try:
        page = int(request.query_params.get("page", "1"))
    except ValueError:
        return None
    if not predicate or page < 1 or page > 100_000:
        return None
    return predicate, page


def page_key(request: Request) -> tuple[Any, ...]:
    """What of the request a resource page depends on beyond the resource: the paging."""
    return _wanted_page(request) or ()
