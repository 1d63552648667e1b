"""``/sparql``: read the protocol request, run it on the engine, send the engine's bytes.

Parsing, the guard and format negotiation are :mod:`smartcity_graph.query.protocol`; the
route only reads the request and writes the response.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from .. import formats
from ..errors import QueryTooLarge
from ..query.engine import QueryRequest
from ..query.protocol import (
    body_limit,
    bound_query,
    choose_result_format,
    inspect_query,
    read_request,
    service_description,
)
from ..render import render
from .common import (
    DOCUMENT_FORMATS,
    AppState,
    not_acceptable,
    rdf_response,
    root_url,
    wants_html,
)

TRUNCATED = "SPARQL-Results-Truncated"
QUERY_UI_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def routes(app: FastAPI, state: AppState) -> None:
    @app.api_route("/sparql", methods=["GET", "HEAD", "POST"])
    async def sparql(request: Request) -> Response:
        body = await read_body(request, body_limit(state.settings.max_query_bytes))
        protocol = read_request(
            request.method,
            request.query_params.multi_items(),
            request.headers.get("content-type"),
            body,
        )
        root = root_url(state, request)
        if protocol.query is None:
            if wants_html(request):
                page = render("query.html", root=root)
                return HTMLResponse(
                    page, headers={"Content-Security-Policy": QUERY_UI_CSP, "Vary": "Accept"}
                )
            fmt = formats.negotiate(request.headers.get("accept"), DOCUMENT_FORMATS)
            if fmt is None:
                return not_acceptable(DOCUMENT_FORMATS)
            settings = state.settings
            graph = service_description(
                root + "sparql",
                (s.graph for s in state.served.sources if s.graph),
                state.served.dataset_iri,
                f"Read-only SPARQL 1.1 query endpoint. Limits: {settings.query_timeout:g} s "
                f"per query, {settings.max_rows} result rows, {settings.max_query_bytes} "
                "bytes of query text. SERVICE and updates are refused.",
            )
            return rdf_response(graph, fmt, {"Vary": "Accept"})
        info = inspect_query(protocol.query, max_bytes=state.settings.max_query_bytes)
        result_format = choose_result_format(
            info.form, request.headers.get("accept"), protocol.formats
        )
        max_rows = state.settings.max_rows
        bounded, may_exceed = bound_query(protocol.query, info.form, max_rows + 1, info.scan)
        result = await state.engine.run(
            QueryRequest(
                query=protocol.query,
                form=info.form,
                result_format=result_format.name,
                default_graphs=protocol.default_graphs,
                named_graphs=protocol.named_graphs,
                max_rows=max_rows,
                base_iri=root + "sparql",
                bounded=bounded,
                may_exceed=may_exceed,
            ),
            state.settings.query_timeout,
        )
        headers = {"Vary": "Accept", "Cache-Control": "no-store"}
        if result.truncated:
            headers[TRUNCATED] = f"true; limit={state.settings.max_rows}"
        media = result.media_type
        if media.startswith("text/"):
            media += "; charset=utf-8"
        return Response(result.body, media_type=media, headers=headers)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) anything larger than *limit* bytes."""
    if request.method != "POST":
        return b""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise QueryTooLarge(f"the request body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise QueryTooLarge(f"the request body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
