"""Issue 12, part 4: the OpenAPI description of every route, and schemathesis against it.

``/openapi.json`` (``web/openapi.py``) describes every route of the app with its
parameters, request bodies, statuses and media types; a test holds it to the app's routes.
Schemathesis then runs over it against a real server on 127.0.0.1, every phase (the
description's examples, coverage of the edges of each parameter, random fuzzing, and
stateful sequences), with :data:`EXAMPLES` examples per operation and phase: 25 by default,
about half a minute on a 2-core machine. ``FUZZ_EXAMPLES=N`` asks for more (the same
variable as ``tests/test_fuzz.py``), e.g. ``FUZZ_EXAMPLES=1000 .venv/bin/pytest
tests/test_openapi.py``.

**Checks:** every check schemathesis has that applies to a read-only API without
authentication: no server error, status codes, content types, response headers and bodies
as described, schema-invalid requests refused, required headers, methods and ``Allow``.
Not run: ``positive_data_acceptance`` (it expects every string the schema allows to be
accepted, but a SPARQL query or a reconciliation batch is a language of its own: most
strings are rightly a 400), and the checks about authentication and about resources a
client creates and deletes (there are none).

**The bar:** no failure at all (so no 5xx), every request answered within
:data:`REQUEST_TIMEOUT` (no hang), and the server alive afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from smartcity_graph.query.dataset import from_release
from smartcity_graph.settings import Settings
from smartcity_graph.web import create_app
from test_server import CITIES, server

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 25)
#: Seconds any one request may take (the server's query timeout is 10 s).
REQUEST_TIMEOUT = 30
EXCLUDED_CHECKS = (
    "positive_data_acceptance",
    "ignored_auth",
    "object_level_authorization",
    "use_after_free",
    "ensure_resource_availability",
)
#: Routes that are not part of the API: a static folder, the favicon, a redirect.
INTERNAL = {"/static", "/favicon.ico", "/sparql/"}


def app_operations(release_dir: Path) -> set[tuple[str, str]]:
    """(path, method) of every route the app answers, HEAD left out (answered with GET)."""
    app = create_app(Settings(), from_release(release_dir))
    found = set()
    for route in app.routes:
        included = getattr(route, "original_router", None)
        for inner in included.routes if included is not None else [route]:
            path = (
                getattr(inner, "path", "")
                .replace("/id/{kind}/{name}", "/id/{kind}/{slug}")
                .replace("/def/{name}", "/def/{Term}")
            )
            if path in INTERNAL:
                continue
            for method in getattr(inner, "methods", None) or ():
                if method != "HEAD":
                    found.add((path, method.lower()))
    return found


@pytest.fixture(scope="module")
def description(release_dir: Path) -> dict[str, object]:
    app = create_app(Settings(), from_release(release_dir))
    with TestClient(app) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    found: dict[str, object] = response.json()
    return found


def test_the_description_names_every_route_and_method_of_the_app(
    release_dir: Path, description: dict[str, object]
) -> None:
    paths = description["paths"]
    assert isinstance(paths, dict)
    described = {(path, method) for path, item in paths.items() for method in item}
    assert described == app_operations(release_dir)


def test_the_description_is_valid_openapi_3(description: dict[str, object]) -> None:
    from jsonschema import Draft4Validator
    from schemathesis.specs.openapi.definitions import OPENAPI_30

    assert description["openapi"] == "3.0.3"
    errors = sorted(Draft4Validator(OPENAPI_30).iter_errors(description), key=str)
    assert not errors, [error.message for error in errors]


def test_every_operation_says_its_parameters_statuses_and_media_types(
    description: dict[str, object],
) -> None:
    paths = description["paths"]
    assert isinstance(paths, dict)
    for path, item in paths.items():
        for name in (part[1:-1] for part in path.split("/") if part.startswith("{")):
            for operation in item.values():
                assert any(
                    p["in"] == "path" and p["name"] == name for p in operation["parameters"]
                ), (path, name)
        for method, operation in item.items():
            assert operation["operationId"], (path, method)
            ok = [status for status in operation["responses"] if status.startswith("2")]
            assert ok, (path, method)
            for status in ok:
                response = operation["responses"][status]
                assert response.get("content") or status == "204", (path, method, status)
    sparql = paths["/sparql"]
    assert set(sparql["post"]["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded",
        "application/sparql-query",
    }
    assert "Retry-After" in sparql["get"]["responses"]["429"]["headers"]


def test_a_405_names_the_methods_the_route_allows(release_dir: Path) -> None:
    """Found by schemathesis (allow_header_conformance): OPTIONS /reconcile said
    ``Allow: GET, HEAD`` though the route takes POST; the answer now comes from the route."""
    app = create_app(Settings(), from_release(release_dir))
    with TestClient(app) as client:
        response = client.options("/reconcile")
        assert response.status_code == 405
        assert {m.strip() for m in response.headers["allow"].split(",")} == {"GET", "POST"}
        page = client.request("DELETE", "/id/city/milan")
        assert page.status_code == 405
        assert "GET" in page.headers["allow"]
        assert "POST" not in page.headers["allow"]


@pytest.mark.slow
def test_schemathesis_finds_no_failure_and_no_hang_on_a_live_server(
    release_dir: Path, tmp_path: Path
) -> None:
    options = ("--release", str(release_dir), "--workers", "2", "--query-timeout", "10")
    with server(*options) as (url, process):
        run = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                f"{url}/openapi.json",
                "--checks",
                "all",
                "--exclude-checks",
                ",".join(EXCLUDED_CHECKS),
                "--max-examples",
                str(EXAMPLES),
                "--request-timeout",
                str(REQUEST_TIMEOUT),
                "--generation-database",
                "none",
                "--workers",
                "1",
                "--no-color",
                "--report",
                "junit",
                "--report-junit-path",
                str(tmp_path / "junit.xml"),
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        summary = run.stdout[run.stdout.find("SUMMARY") :]
        print(summary)
        assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
        assert "Tested: 21" in run.stdout, summary
        assert process.poll() is None, "the server died under schemathesis"
        assert httpx.get(url + "/health", timeout=10).status_code == 200
        known = httpx.get(url + "/sparql", params={"query": CITIES}, timeout=10)
        assert len(known.json()["results"]["bindings"]) == 36
        report = (tmp_path / "junit.xml").read_text()
        assert 'errors="0"' in report, report[:2000]
        assert 'failures="0"' in report, report[:2000]
