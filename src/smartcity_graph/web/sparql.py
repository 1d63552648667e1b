"""``/sparql``: read the protocol request, run it on the engine, send the engine's bytes.

Parsing, the guard and format negotiation are :mod:`smartcity_graph.query.protocol`; the
route only reads the request and writes the response.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import formats
from ..errors import QueryTooLarge, SmartCityGraphError
from ..namespaces import BASE
from ..query.engine import QueryRequest
from ..query.protocol import (
    GRAPH_FORMATS,
    SOLUTION_FORMATS,
    ProtocolRequest,
    body_limit,
    bound_query,
    choose_result_format,
    inspect_query,
    read_request,
    service_description,
)
from .common import (
    DOCUMENT_FORMATS,
    AppState,
    error_body,
    error_headers,
    not_acceptable,
    rdf_response,
    root_url,
    wants_html,
)
from .limits import ClientGone, unless_disconnected
from .render import render

TRUNCATED = "SPARQL-Results-Truncated"
#: Response headers a cross-origin script may read.
EXPOSED = (TRUNCATED, "Link", "ETag", "Content-Location", "Vary")
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
        if protocol.query is None or opens_query_page(request, protocol):
            if wants_html(request):
                page = render("query.html", root=root, base=BASE, query=protocol.query)
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
        try:
            body, media, headers = await run_query(
                state,
                protocol,
                request.headers.get("accept"),
                root,
                client_address(request.scope),
                request.receive,
            )
        except ClientGone:
            return Response(status_code=204)  # nobody is there to read it
        return Response(body, media_type=media, headers=headers)


def opens_query_page(request: Request, protocol: ProtocolRequest) -> bool:
    """Whether a request with a query is a browser opening a link to the query page.

    The contract of ``/sparql?query=...`` (Yasgui's share links, and "open in SPARQL" on the
    resource pages): a GET or HEAD without ``format`` whose ``Accept`` prefers ``text/html``
    to every result format gets the query page, which puts the query in the editor and runs
    it. SPARQL clients never prefer ``text/html`` (and a tie goes to the protocol); every
    other request is the SPARQL protocol."""
    if request.method not in ("GET", "HEAD") or protocol.formats or not wants_html(request):
        return False
    ranges = formats.parse_accept(request.headers.get("accept"))
    html = formats.quality(ranges, (formats.HTML.media_type, *formats.HTML.aliases))
    results = max(
        formats.quality(ranges, (offer.media_type, *offer.aliases))
        for offer in (*SOLUTION_FORMATS, *GRAPH_FORMATS)
    )
    return html > results


async def run_query(
    state: AppState,
    protocol: ProtocolRequest,
    accept: str | None,
    root: str,
    client: str = "",
    receive: Receive | None = None,
) -> tuple[bytes, str, dict[str, str]]:
    """Admit, guard, negotiate, bound and run *protocol*'s query: the body, its media type
    and the response headers.

    Admission comes first (:class:`.limits.Admission`: 429 or 503 before any work). With
    *receive* (the request body already read), the client's connection is watched while
    the engine works: if it closes, the query is stopped and :class:`.limits.ClientGone`
    raised."""
    assert protocol.query is not None
    with state.admission.admit(client):
        try:
            return await _run_query(state, protocol, accept, root, receive)
        except ClientGone:
            state.admission.abandoned += 1
            raise


async def _run_query(
    state: AppState,
    protocol: ProtocolRequest,
    accept: str | None,
    root: str,
    receive: Receive | None,
) -> tuple[bytes, str, dict[str, str]]:
    assert protocol.query is not None
    info = inspect_query(protocol.query, max_bytes=state.settings.max_query_bytes)
    result_format = choose_result_format(info.form, accept, protocol.formats)
    max_rows = state.settings.max_rows
    bounded, may_exceed = bound_query(protocol.query, info.form, max_rows + 1, info.scan)
    work = state.engine.run(
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
    result = await unless_disconnected(work, receive)
    headers = {"Vary": "Accept", "Cache-Control": "no-store"}
    if result.truncated:
        headers[TRUNCATED] = f"true; limit={max_rows}"
    media = result.media_type
    if media.startswith("text/"):
        media += "; charset=utf-8"
    return result.body, media, headers


class QueryFastPath:
    """Pure ASGI, outermost of the app's own middleware: a SPARQL query to ``/sparql`` (GET or
    POST) is read, run and answered here, without the router and the middleware below, with
    the same headers they would add (CORS, nosniff, no-referrer) and the same errors.
    Anything else goes on to the app: a request without a query, and a browser opening a
    link to the query page (:func:`opens_query_page`)."""

    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sparql":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        origin = request.headers.get("origin")
        try:
            body = await read_body(request, body_limit(self.state.settings.max_query_bytes))
            protocol = read_request(
                method,
                request.query_params.multi_items(),
                request.headers.get("content-type"),
                body,
            )
            if protocol.query is None or opens_query_page(request, protocol):
                await self.app(scope, _replay(body, receive), send)
                return
            content, media, headers = await run_query(
                self.state,
                protocol,
                request.headers.get("accept"),
                root_url(self.state, request),
                client_address(scope),
                receive,
            )
            status = 200
        except ClientGone:
            return  # its query was stopped; there is no one to answer
        except SmartCityGraphError as exc:
            status = exc.http_status
            content = error_body(str(exc)).encode("utf-8")
            media = "text/plain; charset=utf-8"
            headers = error_headers(exc)
        headers["Vary"] = ", ".join(v for v in (headers.get("Vary"), "Origin") if v)
        if origin is not None:
            headers["Access-Control-Allow-Origin"] = "*"
            headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSED)
        raw = [
            (b"content-type", media.encode("latin-1")),
            (b"content-length", str(len(content)).encode("latin-1")),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": content})


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the app a body already read, then listens to the client's
    own (which says ``http.disconnect`` once the client has gone)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def client_address(scope: Scope) -> str:
    """The client's address as the server reports it ("" when it reports none)."""
    client = scope.get("client")
    return str(client[0]) if client else ""


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
