"""The anchor for pages and downloads: plain static files under the same uvicorn as ours.

A Starlette ``StaticFiles`` app, nothing else. ``bench/run.py`` serves from it the release's
``graph.nt`` and an HTML file the size of one of our resource pages.

    python bench/static_app.py PORT DIRECTORY
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles


def main(port: int, directory: str) -> None:
    """Serve *directory* on 127.0.0.1:*port*, with the uvicorn options our server uses."""
    app = Starlette(routes=[Mount("/", StaticFiles(directory=directory))])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", server_header=False)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
