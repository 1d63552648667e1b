"""The speed anchor: a bare FastAPI app over an in-memory pyoxigraph store.

No guard, no worker processes, no timeout, no format negotiation: the least work a Python
SPARQL endpoint can do (SELECT/ASK as SPARQL JSON, CONSTRUCT/DESCRIBE as Turtle). It runs
under the same uvicorn, with the same options, as ``smartcity-graph serve``.

    python bench/bare_app.py PORT FILE.nt

Started by ``bench/run.py``.
"""

from __future__ import annotations

import sys

import pyoxigraph as ox
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response

store = ox.Store()
app = FastAPI()


@app.get("/health")
async def health() -> Response:
    return Response("ok")


@app.get("/sparql")
async def sparql(request: Request) -> Response:
    result = store.query(request.query_params["query"])
    if isinstance(result, ox.QueryTriples):
        return Response(result.serialize(format=ox.RdfFormat.TURTLE), media_type="text/turtle")
    body = result.serialize(format=ox.QueryResultsFormat.JSON)
    return Response(body, media_type="application/sparql-results+json")


def main(port: int, data: str) -> None:
    """Load *data* (N-Triples) into memory, then serve on 127.0.0.1:*port*."""
    store.bulk_load(path=data, format=ox.RdfFormat.N_TRIPLES)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", server_header=False)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
