"""Pages and RDF documents: the landing page, every resource by content negotiation, the
ontology, the dataset description. Each is rendered once per release and then answered from
the document cache (:class:`.common.DocumentCache`) with ETag and 304."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .. import formats, iris
from ..graph import profiles
from ..graph.describe import curie, resource_view
from ..namespaces import BASE, DCTERMS, RDF
from .common import (
    DOCUMENT_FORMATS,
    PAGE_OFFERS,
    AppState,
    construct,
    iri_ok,
    not_acceptable,
    not_found,
    rdf_response,
    root_url,
    select,
)
from .render import render


def routes(app: FastAPI, state: AppState) -> None:
    @app.api_route("/", methods=["GET", "HEAD"])
    async def landing(request: Request) -> Response:
        root = root_url(state, request)
        return await state.documents.answer(request, ("landing", root), lambda: _landing(root))

    async def _landing(root: str) -> Response:
        examples = []
        if state.served.description_graph:
            rows = await select(
                state,
                "PREFIX void: <http://rdfs.org/ns/void#> "  # noqa: S608 - our own graph IRI
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                f"SELECT ?x ?label FROM <{state.served.description_graph}> "
                "WHERE { ?d void:exampleResource ?x } ORDER BY ?x",
            )
            labels = await labels_for(state, [row["x"]["value"] for row in rows])
            examples = [
                {
                    "href": iris.to_local(row["x"]["value"], root),
                    "text": labels.get(row["x"]["value"], row["x"]["value"]),
                }
                for row in rows
            ]
        title = "smartcity-graph"
        description = "Linked open data served read-only."
        if state.served.manifest:
            title = "G20 Global Smart Cities Alliance pioneer cities (17 November 2020)"
            description = (
                "36 pioneer cities in 22 countries adopting the G20 Global Smart Cities "
                "Alliance's policy roadmap, with their countries, the organisations and people "
                "quoted, every quote, the policy areas and each city's commitment. Every fact "
                "cites its source."
            )
        page = render(
            "landing.html",
            root=root,
            title=title,
            description=description,
            examples=examples,
            files=state.served.manifest.get("files", []),
        )
        return HTMLResponse(page, headers={"Link": f'<{root}.well-known/void>; rel="describedby"'})

    @app.get("/.well-known/void")
    async def well_known_void(request: Request) -> Response:
        if not state.served.description_graph:
            return not_found(state, request, "this server has no dataset description")
        offers = (*DOCUMENT_FORMATS, formats.HTML)
        fmt = formats.negotiate(request.headers.get("accept"), offers)
        if fmt is None:
            return not_acceptable(offers)
        graph_iri = state.served.description_graph
        root = root_url(state, request)

        async def render_void() -> Response:
            if fmt is formats.HTML:
                return await render_resource(
                    state, request, str(iris.DATASET), "", formats.HTML, profiles.DEFAULT
                )
            graph = await construct(
                state, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"
            )
            return rdf_response(localize(graph, root), fmt, {"Vary": "Accept"})

        return await state.documents.answer(request, ("void", fmt.name, root), render_void)

    @app.get("/shapes")
    async def shapes(request: Request) -> Response:
        if "shapes.ttl" not in state.served.files:
            return not_found(state, request, "this server has no SHACL shapes")
        return RedirectResponse(root_url(state, request) + "release/shapes.ttl", status_code=303)

    @app.api_route("/def", methods=["GET", "HEAD"])
    @app.api_route("/def.{ext}", methods=["GET", "HEAD"])
    async def ontology(request: Request, ext: str | None = None) -> Response:
        if not state.served.ontology_graph:
            return not_found(state, request, "this server has no ontology")
        fmt = pick_format(request, ext)
        if fmt is None:
            return not_acceptable(PAGE_OFFERS)
        graph_iri = state.served.ontology_graph

        async def render_ontology() -> Response:
            if fmt is formats.HTML:
                return await resource_page(state, request, str(iris.ONTOLOGY))
            graph = await construct(
                state, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"
            )
            headers = link_headers(state, request, str(iris.ONTOLOGY), ext)
            name_response(headers, state, request, str(iris.ONTOLOGY), ext, fmt, profiles.DEFAULT)
            name_document(graph, str(iris.ONTOLOGY), fmt, profiles.DEFAULT)
            return rdf_response(graph, fmt, headers)

        key = ("ontology", ext, fmt.name, root_url(state, request))
        return await state.documents.answer(request, key, render_ontology)

    @app.api_route("/id/{kind}/{name}", methods=["GET", "HEAD"])
    @app.api_route("/def/{name}", methods=["GET", "HEAD"])
    async def resource(request: Request, name: str, kind: str | None = None) -> Response:
        slug, _, ext = name.partition(".")
        path = f"/id/{kind}/{slug}" if kind else f"/def/{slug}"
        iri = str(iris.from_path(path)) if slug else ""
        known = (kind is None and iris.term(iri)) or (kind is not None and iris.parse(iri))
        if not known or (ext and ext not in formats.BY_EXTENSION):
            return not_found(state, request, f"{path} is not an IRI of this dataset")
        fmt = pick_format(request, ext or None)
        if fmt is None:
            return not_acceptable(PAGE_OFFERS)
        profile = profiles.choose(
            request.query_params.get("_profile"), request.headers.get("accept-profile")
        )
        token = profile.token if profile is not None else "alt"
        key = ("resource", iri, ext, fmt.name, token, root_url(state, request))
        return await state.documents.answer(
            request, key, lambda: render_resource(state, request, iri, ext, fmt, profile)
        )


async def render_resource(
    state: AppState,
    request: Request,
    iri: str,
    ext: str,
    fmt: formats.Format,
    profile: profiles.Profile | None,
) -> Response:
    """A resource in one format and view; 404 when the graph says nothing about it."""
    graph = await describe_graph(state, iri)
    if not len(graph):
        return not_found(state, request, f"nothing is known about <{iri}>")
    headers = link_headers(state, request, iri, ext or None, profile)
    if profile is None:
        return alternates(state, request, iri, fmt, headers)
    view = localize(
        profile.transform(graph, await wikidata_items(state, graph)), root_url(state, request)
    )
    name_response(headers, state, request, iri, ext or None, fmt, profile)
    if fmt is formats.HTML:
        return await resource_page(state, request, iri, view, headers)
    name_document(view, iri, fmt, profile)
    return rdf_response(view, fmt, headers)


def localize(graph: Graph, root: str) -> Graph:
    """*graph* as this server answers it: release files under ``{root}release/`` and the
    SPARQL endpoint at ``{root}sparql``, so a client can follow them where it found them.
    Resource IRIs stay permanent; the release's own ``void.ttl`` keeps the permanent URLs."""
    if root == BASE:
        return graph
    endpoint = URIRef(root + "sparql")

    def here(term: Node) -> Node:
        if term == iris.SPARQL_ENDPOINT:
            return endpoint
        if isinstance(term, URIRef) and str(term).startswith(iris.DOWNLOAD_BASE):
            return URIRef(root + "release/" + str(term)[len(iris.DOWNLOAD_BASE) :])
        return term

    local = Graph(namespace_manager=graph.namespace_manager)
    for s, p, o in graph:
        local.add((here(s), p, here(o)))
    return local


def document_iri(iri: str, fmt: formats.Format) -> URIRef:
    """The document about the thing *iri* in *fmt*: the same path with its suffix."""
    return URIRef(f"{iri}.{fmt.extension}")


def name_document(graph: Graph, iri: str, fmt: formats.Format, profile: profiles.Profile) -> None:
    """Say in the document which thing it is about, as the view does (``foaf:primaryTopic``;
    the schema.org view ``schema:mainEntity``; the Wikidata view keeps to Wikidata's terms)."""
    if profile.topic is not None:
        graph.add((document_iri(iri, fmt), profile.topic, URIRef(iri)))


def name_response(
    headers: dict[str, str],
    state: AppState,
    request: Request,
    iri: str,
    ext: str | None,
    fmt: formats.Format,
    profile: profiles.Profile,
) -> None:
    """A thing is not its document: the answer names the document it sends
    (``Content-Location``) and, at the thing's own IRI, links it (``rel="describedby"``)."""
    local = iris.to_local(iri, root_url(state, request))
    document = f"{local}.{fmt.extension}"
    if profile is not profiles.DEFAULT:
        document += f"?_profile={profile.token}"
    headers["Content-Location"] = document
    if ext is None:
        described = f'<{document}>; rel="describedby"; type="{fmt.media_type}"'
        headers["Link"] = ", ".join(filter(None, (headers.get("Link"), described)))


def alternates(
    state: AppState, request: Request, iri: str, fmt: formats.Format, headers: dict[str, str]
) -> Response:
    """``_profile=alt``: every profile and format this resource is offered in."""
    local = iris.to_local(iri, root_url(state, request))
    rows: list[dict[str, Any]] = [
        {
            "profile": profile,
            "formats": [
                {
                    "label": f.label,
                    "media_type": f.media_type,
                    "href": f"{local}?_profile={profile.token}&_mediatype={quote(f.media_type)}",
                }
                for f in PAGE_OFFERS
            ],
        }
        for profile in profiles.PROFILES
    ]
    if fmt is formats.HTML:
        page = render("alternates.html", root=root_url(state, request), iri=iri, rows=rows)
        return HTMLResponse(page, headers=headers)
    graph = Graph()
    profiles.describe_profiles(graph, [f.media_type for f in PAGE_OFFERS])
    for row in rows:
        for option in row["formats"]:
            url = URIRef(option["href"])
            graph.add((URIRef(iri), DCTERMS.hasFormat, url))
            graph.add((url, DCTERMS.conformsTo, row["profile"].iri))
            graph.add((url, DCTERMS["format"], Literal(option["media_type"])))
    return rdf_response(graph, fmt, headers)


def pick_format(request: Request, ext: str | None) -> formats.Format | None:
    """A suffix, then ``_mediatype`` (conneg by profile's query string), then ``Accept``."""
    if ext:
        return formats.BY_EXTENSION.get(ext)
    mediatype = request.query_params.get("_mediatype")
    if mediatype:
        return formats.negotiate(mediatype, PAGE_OFFERS)
    return formats.negotiate(request.headers.get("accept"), PAGE_OFFERS)


def link_headers(
    state: AppState,
    request: Request,
    iri: str,
    ext: str | None,
    profile: profiles.Profile | None = profiles.DEFAULT,
) -> dict[str, str]:
    """``Link`` alternates (per format and per profile), ``Vary``, and ``Content-Profile``."""
    local = iris.to_local(iri, root_url(state, request))
    links = [
        f'<{local}.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in PAGE_OFFERS
    ]
    links += [
        f'<{local}?_profile={p.token}>; rel="alternate"; profile="{p.iri}"'
        for p in profiles.PROFILES
    ]
    served = profiles.ALTERNATES if profile is None else profile.iri
    links.append(f'<{served}>; rel="profile"')
    headers = {"Link": ", ".join(links), "Content-Profile": f"<{served}>"}
    if ext is None:
        headers["Vary"] = "Accept, Accept-Profile"
    return headers


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


async def wikidata_items(state: AppState, graph: Graph) -> dict[Node, Node]:
    """The verified Wikidata item (owl:sameAs) of each of our IRIs *graph* mentions."""
    ours = sorted({str(o) for o in graph.objects() if isinstance(o, URIRef) and iris.is_ours(o)})
    wanted = [iri for iri in ours if iri_ok(iri)]
    if not wanted:
        return {}
    values = " ".join(f"<{iri}>" for iri in wanted)
    rows = await select(
        state,
        f"SELECT ?x ?item WHERE {{ VALUES ?x {{ {values} }} "
        "?x <http://www.w3.org/2002/07/owl#sameAs> ?item }",
    )
    return {URIRef(row["x"]["value"]): URIRef(row["item"]["value"]) for row in rows}


async def labels_for(state: AppState, nodes: list[str]) -> dict[str, str]:
    wanted = [n for n in dict.fromkeys(nodes) if iri_ok(n)]
    if not wanted:
        return {}
    values = " ".join(f"<{n}>" for n in wanted)
    rows = await select(
        state,
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "PREFIX schema: <https://schema.org/> "
        f"SELECT ?x ?label WHERE {{ VALUES ?x {{ {values} }} "
        "?x rdfs:label|skos:prefLabel|schema:name ?label "
        'FILTER(LANG(?label) = "en" || LANG(?label) = "") }',
    )
    labels: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: r["label"]["value"]):
        labels.setdefault(row["x"]["value"], row["label"]["value"])
    return labels


async def resource_page(
    state: AppState,
    request: Request,
    iri: str,
    graph: Graph | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    graph = graph if graph is not None else await describe_graph(state, iri)
    incoming_rows = await select(
        state, f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> FILTER(isIRI(?s)) }} LIMIT 500"
    )
    incoming = [(row["s"]["value"], row["p"]["value"]) for row in incoming_rows]
    mentioned = [str(n) for triple in graph for n in triple if isinstance(n, URIRef)]
    mentioned += [node for pair in incoming for node in pair]
    labels = await labels_for(state, mentioned)
    root = root_url(state, request)

    def href(target: str) -> str:
        return iris.to_local(target, root)

    view = resource_view(iri, graph, incoming, labels, href)
    local = iris.to_local(iri, root)
    alternates = [
        {"href": f"{local}.{f.extension}", "media_type": f.media_type, "label": f.label}
        for f in DOCUMENT_FORMATS
    ]
    page = render("resource.html", root=root, view=view, alternates=alternates, curie=curie)
    return HTMLResponse(page, headers=headers or link_headers(state, request, iri, None))
