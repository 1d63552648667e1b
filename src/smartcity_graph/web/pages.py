"""Pages and RDF documents: every resource by content negotiation, the
ontology, the dataset description. Each is rendered once per release and then answered from
the document cache (:class:`.common.DocumentCache`) with ETag and 304."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .. import formats, iris
from ..graph import profiles
from ..namespaces import BASE, DCTERMS
from .common import (
    DOCUMENT_FORMATS,
    PAGE_OFFERS,
    AppState,
    iri_ok,
    named_graph,
    not_acceptable,
    not_found,
    rdf_response,
    root_url,
    select,
)
from .render import render
from .resource_page import describe_graph, page_key, resource_page


def routes(app: FastAPI, state: AppState) -> None:
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
            graph = await named_graph(state, graph_iri)
            return rdf_response(localize(graph, root), fmt, {"Vary": "Accept"})

        return await state.documents.answer(request, ("void", fmt.name, root), render_void)

    @app.api_route("/id/{kind}/{name}", methods=["GET", "HEAD"])
    async def resource(request: Request, kind: str, name: str) -> Response:
        slug, _, ext = name.partition(".")
        path = f"/id/{kind}/{slug}"
        iri = str(iris.from_path(path)) if slug else ""
        known = iris.parse(iri)
        if not known or (ext and ext not in formats.BY_EXTENSION):
            return not_found(state, request, f"{path} is not an IRI of this dataset")
        fmt = pick_format(request, ext or None)
        if fmt is None:
            return not_acceptable(PAGE_OFFERS)
        profile = profiles.choose(
            request.query_params.get("_profile"), request.headers.get("accept-profile")
        )
        token = profile.token if profile is not None else "alt"
        key = ("resource", iri, ext, fmt.name, token, root_url(state, request), page_key(request))
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
        return await resource_page(state, request, iri, headers, view)
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
