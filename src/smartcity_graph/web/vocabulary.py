"""The ontology and its SHACL shapes, for people and for machines.

* ``/def``: the ontology page for browsers (classes and properties tables, reused
  vocabularies, concept schemes); Turtle, JSON-LD, N-Triples or RDF/XML by ``Accept`` or by
  suffix (``/def.ttl``...), exactly as the ontology graph is served;
* ``/def/{Term}``: a term's page for browsers (definition, domain, range, hierarchy, uses
  in the data, the shapes that constrain it); the term's RDF otherwise, and its other
  profiles, as every resource (:func:`.pages.render_resource`);
* ``/shapes``: the SHACL shapes in words for browsers; a 303 to the published
  ``release/shapes.ttl`` for everyone else.

The words come from :mod:`..graph.vocabulary_docs` (pure). Each page is rendered once per
release and then answered from the document cache with ETag and 304.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .. import formats, iris
from ..graph import profiles
from ..graph.vocabulary_docs import (
    Namer,
    OntologyView,
    Ref,
    SchemeView,
    ShapesView,
    ontology_labels,
    ontology_view,
    scheme_views,
    shapes_view,
    terms,
)
from ..namespaces import SCG, sparql_prologue
from .common import (
    PAGE_OFFERS,
    AppState,
    alternate_links,
    construct,
    iri_ok,
    named_graph,
    not_acceptable,
    not_found,
    rdf_response,
    root_url,
    select,
    text_error,
    wants_html,
)
from .files import verify
from .pages import link_headers, name_document, name_response, pick_format, render_resource
from .render import render
from .resource_page import labels_for

#: Uses of each term shown from the data.
EXAMPLES = 3
SHAPES_FILE = "shapes.ttl"


def routes(app: FastAPI, state: AppState) -> None:
    @app.api_route("/def", methods=["GET", "HEAD"])
    @app.api_route("/def.{ext}", methods=["GET", "HEAD"])
    async def ontology(request: Request, ext: str | None = None) -> Response:
        if not state.served.ontology_graph:
            return not_found(state, request, "this server has no ontology")
        fmt = pick_format(request, ext)
        if fmt is None:
            return not_acceptable(PAGE_OFFERS)

        async def render_ontology() -> Response:
            graph = await ontology_graph(state)
            headers = link_headers(state, request, str(iris.ONTOLOGY), ext)
            name_response(headers, state, request, str(iris.ONTOLOGY), ext, fmt, profiles.DEFAULT)
            if fmt is formats.HTML:
                return await ontology_page(state, request, graph, headers)
            name_document(graph, str(iris.ONTOLOGY), fmt, profiles.DEFAULT)
            return rdf_response(graph, fmt, headers)

        key = ("ontology", ext, fmt.name, root_url(state, request))
        return await state.documents.answer(request, key, render_ontology)

    @app.api_route("/def/{name}", methods=["GET", "HEAD"])
    async def term(request: Request, name: str) -> Response:
        slug, _, ext = name.partition(".")
        path = f"/def/{slug}"
        iri = str(iris.from_path(path)) if slug else ""
        if not iris.term(iri) or (ext and ext not in formats.BY_EXTENSION):
            return not_found(state, request, f"{path} is not an IRI of this dataset")
        fmt = pick_format(request, ext or None)
        if fmt is None:
            return not_acceptable(PAGE_OFFERS)
        profile = profiles.choose(
            request.query_params.get("_profile"), request.headers.get("accept-profile")
        )
        root = root_url(state, request)
        if fmt is formats.HTML and profile is profiles.DEFAULT and state.served.ontology_graph:
            return await state.documents.answer(
                request,
                ("term", iri, ext, root),
                lambda: term_page(state, request, iri, ext, profile),
            )
        token = profile.token if profile is not None else "alt"
        params = tuple(sorted(request.query_params.multi_items()))
        return await state.documents.answer(
            request,
            ("resource", iri, ext, fmt.name, token, root, params),
            lambda: render_resource(state, request, iri, ext, fmt, profile),
        )

    @app.api_route("/shapes", methods=["GET", "HEAD"])
    async def shapes(request: Request) -> Response:
        if SHAPES_FILE not in state.served.files:
            return not_found(state, request, "this server has no SHACL shapes")
        root = root_url(state, request)
        if not wants_html(request):
            return RedirectResponse(
                root + "release/" + SHAPES_FILE, status_code=303, headers={"Vary": "Accept"}
            )
        return await state.documents.answer(
            request, ("shapes", root), lambda: shapes_page(state, request)
        )


# -- Pages -----------------------------------------------------------------------------------


async def ontology_page(
    state: AppState, request: Request, graph: Graph, headers: dict[str, str]
) -> Response:
    root = root_url(state, request)
    wanted = terms(graph)
    uses = await term_uses(state, wanted)
    namer = await namer_for(state, root, _mentioned(uses))
    schemes = await concept_schemes(state, namer, graph)
    view = ontology_view(graph, namer, uses, schemes)
    page = render(
        "ontology.html",
        root=root,
        view=view,
        alternates=alternate_links(iris.to_local(view.iri, root)),
        download=_download(state, root, "ontology.ttl"),
        shapes_href=root + "shapes" if SHAPES_FILE in state.served.files else None,
    )
    return HTMLResponse(page, headers=headers | {"Vary": "Accept"})


async def term_page(
    state: AppState, request: Request, iri: str, ext: str, profile: profiles.Profile | None
) -> Response:
    """The page of one term of the ontology; a term the ontology does not define gets the
    page every resource gets (a 404 when nothing at all is known about it)."""
    graph = await ontology_graph(state)
    wanted = [(t, is_class) for t, is_class in terms(graph) if t == iri]
    if not wanted:
        return await render_resource(state, request, iri, ext, formats.HTML, profile)
    root = root_url(state, request)
    uses = await term_uses(state, wanted)
    namer = await namer_for(state, root, _mentioned(uses))
    view = ontology_view(graph, namer, uses)
    found = view.term(iris.term(iri) or "")
    assert found is not None
    shapes = await shapes_for(state, root)
    constraining = (
        [Ref(s.name, iris.to_local(s.iri, root), s.iri) for s in shapes.about(iri)]
        if shapes
        else []
    )
    headers = link_headers(state, request, iri, ext or None, profile)
    name_response(headers, state, request, iri, ext or None, formats.HTML, profiles.DEFAULT)
    page = render(
        "term.html",
        root=root,
        ontology=view,
        term=found,
        shapes=constraining,
        shapes_href=root + "shapes" if shapes else None,
        ontology_href=iris.to_local(view.iri, root),
        alternates=alternate_links(iris.to_local(iri, root)),
    )
    return HTMLResponse(page, headers=headers)


async def shapes_page(state: AppState, request: Request) -> Response:
    root = root_url(state, request)
    view = await shapes_for(state, root)
    if view is None:
        return text_error(500, f"{SHAPES_FILE} does not match the manifest; the release is damaged")
    download = _download(state, root, SHAPES_FILE)
    page = render(
        "shapes.html",
        root=root,
        view=view,
        download=download,
        report=_download(state, root, "validation-report.ttl"),
        ontology_href=iris.to_local(str(iris.ONTOLOGY), root)
        if state.served.ontology_graph
        else None,
    )
    headers = {"Vary": "Accept"}
    if download:
        headers["Link"] = f'<{download["href"]}>; rel="alternate"; type="text/turtle"'
    return HTMLResponse(page, headers=headers)


def _download(state: AppState, root: str, name: str) -> dict[str, Any] | None:
    entry = state.served.files.get(name)
    if entry is None:
        return None
    return {"href": f"{root}release/{name}", "name": name, "bytes": entry["bytes"]}


# -- What the pages ask the engine and the release -------------------------------------------


async def ontology_graph(state: AppState) -> Graph:
    return await named_graph(state, str(state.served.ontology_graph))


def node(binding: dict[str, str]) -> Node:
    """An rdflib node from one SPARQL JSON results binding."""
    if binding["type"] == "uri":
        return URIRef(binding["value"])
    if binding["type"] == "bnode":
        return BNode(binding["value"])
    datatype = binding.get("datatype")
    return Literal(
        binding["value"],
        lang=binding.get("xml:lang"),
        datatype=URIRef(datatype) if datatype and not binding.get("xml:lang") else None,
    )


async def term_uses(
    state: AppState, wanted: list[tuple[str, bool]]
) -> dict[str, list[tuple[Node, Node | None]]]:
    """Up to :data:`EXAMPLES` uses of each term in the data, in one query: instances of a
    class; subjects with their value for a property (first by IRI, so every page shows the
    same ones)."""
    branches = []
    for iri, is_class in wanted:
        if not iri_ok(iri):
            continue
        pattern = f"?s a <{iri}>" if is_class else f"?s <{iri}> ?o"
        order = "?s" if is_class else "?s ?o"
        branches.append(
            f"{{ SELECT (<{iri}> AS ?term) ?s{'' if is_class else ' ?o'} WHERE "
            f"{{ {pattern} FILTER(isIRI(?s)) }} ORDER BY {order} LIMIT {EXAMPLES} }}"
        )
    if not branches:
        return {}
    rows = await select(state, "SELECT ?term ?s ?o WHERE { " + " UNION ".join(branches) + " }")
    uses: dict[str, list[tuple[Node, Node | None]]] = {}
    for row in rows:
        value = node(row["o"]) if "o" in row else None
        uses.setdefault(row["term"]["value"], []).append((node(row["s"]), value))
    for found in uses.values():
        found.sort(key=lambda use: (str(use[0]), str(use[1])))
    return uses


def _mentioned(uses: dict[str, list[tuple[Node, Node | None]]]) -> list[str]:
    return [
        str(n) for pairs in uses.values() for pair in pairs for n in pair if isinstance(n, URIRef)
    ]


async def namer_for(state: AppState, root: str, mentioned: list[str]) -> Namer:
    ours = [iri for iri in mentioned if iris.is_ours(iri)]
    return Namer(await labels_for(state, ours), lambda iri: iris.to_local(iri, root))


async def concept_schemes(state: AppState, namer: Namer, ontology: Graph) -> tuple[SchemeView, ...]:
    """The SKOS concept schemes of the store, their concepts, and which of our properties
    take their concepts as values in the data."""
    prologue = sparql_prologue("rdf", "rdfs", "skos", "dcterms")
    graph = await construct(
        state,
        prologue + "CONSTRUCT { ?x ?p ?o } WHERE { "
        "{ ?x a skos:ConceptScheme } UNION "
        "{ ?scheme a skos:ConceptScheme . ?x skos:inScheme ?scheme } UNION "
        "{ ?scheme a skos:ConceptScheme ; skos:hasTopConcept ?x } "
        "?x ?p ?o FILTER(?p IN (rdf:type, rdfs:label, skos:prefLabel, skos:definition, "
        "skos:inScheme, skos:hasTopConcept, dcterms:description, rdfs:comment)) }",
    )
    if not len(graph):
        return ()
    rows = await select(
        state,
        prologue + "SELECT DISTINCT ?scheme ?p WHERE { ?c skos:inScheme ?scheme . ?s ?p ?c "
        f'FILTER(STRSTARTS(STR(?p), "{SCG}")) }}',
    )
    used_by: dict[str, list[str]] = {}
    for row in rows:
        used_by.setdefault(row["scheme"]["value"], []).append(row["p"]["value"])
    named = Namer(
        {**namer.labels, **ontology_labels(ontology), **ontology_labels(graph)}, namer.here
    )
    return scheme_views(graph, named, used_by, ontology)


@lru_cache(maxsize=4)
def _parse_turtle(content: bytes) -> Graph:
    return Graph().parse(data=content.decode("utf-8"), format="turtle")


def shapes_graph(state: AppState) -> Graph | None:
    """The release's shapes as published (checked against the manifest), or ``None``."""
    entry = state.served.files.get(SHAPES_FILE)
    if entry is None or state.served.release_dir is None:
        return None
    verified = verify(state, SHAPES_FILE, entry)
    if verified is None or verified.content is None:
        return None
    return _parse_turtle(verified.content)


async def shapes_for(state: AppState, root: str) -> ShapesView | None:
    graph = shapes_graph(state)
    if graph is None:
        return None
    mentioned = [str(o) for o in graph.objects() if isinstance(o, URIRef)]
    mentioned += [str(s) for s in graph.subjects() if isinstance(s, URIRef)]
    return shapes_view(graph, await namer_for(state, root, mentioned))


__all__ = ["OntologyView", "routes"]
