"""The query layer: the row cap without per-row work, worker processes, store modes, caches."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import client_for
from smartcity_graph.errors import SmartCityGraphError
from smartcity_graph.query.dataset import from_files, from_release
from smartcity_graph.query.embedded import EmbeddedEngine
from smartcity_graph.query.engine import QueryRequest
from smartcity_graph.query.protocol import bound_query
from smartcity_graph.settings import Settings
from smartcity_graph.web import create_app

CITIES = (
    "PREFIX schema: <https://schema.org/> "
    "SELECT ?c ?name WHERE { ?c a schema:City ; schema:name ?name } ORDER BY ?name"
)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"


# -- bound_query: one top-level LIMIT, found with the guard's tokens ---------------------------


@pytest.mark.parametrize(
    ("query", "bounded", "may_exceed"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT * { ?s ?p ?o }\nLIMIT 11\n", True),
        ("SELECT * { ?s ?p ?o } LIMIT 5", "SELECT * { ?s ?p ?o } LIMIT 5", False),
        ("SELECT * { ?s ?p ?o } LIMIT 500", "SELECT * { ?s ?p ?o } LIMIT 11", True),
        (
            "SELECT * { ?s ?p ?o } limit 500 OFFSET 3",
            "SELECT * { ?s ?p ?o } limit 11 OFFSET 3",
            True,
        ),
        (
            "SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 2 } }",
            "SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 2 } }\nLIMIT 11\n",
            True,
        ),
        (
            'SELECT * { ?s ?p "} LIMIT 1" } # LIMIT 2',
            'SELECT * { ?s ?p "} LIMIT 1" } # LIMIT 2\nLIMIT 11\n',
            True,
        ),
        (
            "SELECT ?x { ?x ?p ?o } VALUES ?x { <urn:a> }",
            "SELECT ?x { ?x ?p ?o } LIMIT 11\nVALUES ?x { <urn:a> }",
            True,
        ),
        (
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }\nLIMIT 11\n",
            True,
        ),
        ("ASK { ?s ?p ?o }", "ASK { ?s ?p ?o }", False),
        ("SELECT * { ?s ?p ?o", "SELECT * { ?s ?p ?o", True),
    ],
)
def test_bound_query_sets_one_top_level_limit(query: str, bounded: str, may_exceed: bool) -> None:
    form = next(f for f in ("SELECT", "ASK", "CONSTRUCT") if query.startswith(f))
    assert bound_query(query, form, 11) == (bounded, may_exceed)  # type: ignore[arg-type]


def test_bounded_queries_mean_what_they_meant(release_dir: Path) -> None:
    """Run each bounded query on the real store: the same rows as the query with LIMIT."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(release_dir / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    for query in (CITIES, CITIES.replace("ORDER BY", "GROUP BY ?c ?name ORDER BY")):
        bounded, _ = bound_query(query, "SELECT", 7)
        got = [str(row["name"]) for row in store.query(bounded)]  # type: ignore[union-attr]
        want = [str(row["name"]) for row in store.query(query)][:7]  # type: ignore[union-attr]
        assert got == want


# -- The row cap in every format, signalled -----------------------------------------------------


@pytest.mark.parametrize(
    ("media", "rows_of"),
    [
        ("application/sparql-results+json", lambda r: len(r.json()["results"]["bindings"])),
        ("application/sparql-results+xml", lambda r: r.content.count(b"<result>")),
        ("text/csv", lambda r: r.content.count(b"\r\n") - 1),
        ("text/tab-separated-values", lambda r: r.content.count(b"\n") - 1),
    ],
)
def test_the_row_cap_holds_in_every_result_format(
    release_dir: Path, media: str, rows_of: object
) -> None:
    for capped in client_for(release_dir, max_rows=5, workers=1):
        over = capped.get("/sparql", params={"query": CITIES}, headers={"Accept": media})
        assert over.status_code == 200
        assert rows_of(over) == 5  # type: ignore[operator]
        assert over.headers["sparql-results-truncated"] == "true; limit=5"
        exact = capped.get(
            "/sparql", params={"query": CITIES + " LIMIT 5"}, headers={"Accept": media}
        )
        assert rows_of(exact) == 5  # type: ignore[operator]
        assert "sparql-results-truncated" not in exact.headers
        one_over = capped.get(
            "/sparql", params={"query": CITIES + " LIMIT 6"}, headers={"Accept": media}
        )
        assert rows_of(one_over) == 5  # type: ignore[operator]
        assert one_over.headers["sparql-results-truncated"] == "true; limit=5"


def test_a_large_json_result_is_counted_exactly(release_dir: Path) -> None:
    """Big enough to need counting (over max_rows * 3 bytes): cut at exactly max_rows."""
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    for capped in client_for(release_dir, max_rows=1000, workers=1):
        response = capped.get("/sparql", params={"query": query})
        assert len(response.json()["results"]["bindings"]) == 1000
        assert response.headers["sparql-results-truncated"] == "true; limit=1000"


# -- Workers -------------------------------------------------------------------------------------


def test_workers_default_to_one_per_core_and_say_so(release_dir: Path) -> None:
    for client in client_for(release_dir):
        health = client.get("/health").json()
        assert health["workers"] == (os.cpu_count() or 1)
        assert health["store_mode"] in ("memory", "lean")


@pytest.mark.slow
def test_a_free_worker_answers_while_another_is_busy(release_dir: Path) -> None:
    for client in client_for(release_dir, workers=2, query_timeout=4, query_cache=0):
        slow = threading.Thread(
            target=client.get, args=("/sparql",), kwargs={"params": {"query": RUNAWAY}}
        )
        slow.start()
        time.sleep(0.5)
        started = time.monotonic()
        quick = client.get("/sparql", params={"query": CITIES})
        assert quick.status_code == 200
        assert time.monotonic() - started < 2, "a quick query waited behind a busy worker"
        slow.join()


@pytest.mark.slow
def test_a_worker_that_dies_mid_query_is_a_500_and_is_replaced(release_dir: Path) -> None:
    app = create_app(
        Settings(workers=1, query_timeout=30, query_cache=0), from_release(release_dir)
    )
    with TestClient(app) as client:
        engine = app.state.smartcity.engine
        victim = engine._pool[0].pid

        def kill_soon() -> None:
            time.sleep(0.5)
            os.kill(victim, 9)

        threading.Thread(target=kill_soon).start()
        response = client.get("/sparql", params={"query": RUNAWAY})
        assert response.status_code == 500
        assert "worker stopped" in response.text
        assert client.get("/sparql", params={"query": CITIES}).status_code == 200
        assert engine._pool[0].pid != victim


# -- Store modes and the store cache -------------------------------------------------------------


def run_engine(engine: EmbeddedEngine, query: str) -> bytes:
    async def go() -> bytes:
        await engine.start()
        try:
            result = await engine.run(
                QueryRequest(query=query, form="SELECT", result_format="tsv"), 30
            )
            return result.body
        finally:
            await engine.close()

    return asyncio.run(go())


def test_lean_mode_builds_the_store_once_and_reuses_it(tmp_path: Path, release_dir: Path) -> None:
    data = tmp_path / "graph.nt"
    shutil.copy(release_dir / "graph.nt", data)
    cache = tmp_path / "stores"
    query = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    first = run_engine(
        EmbeddedEngine(from_files([data], []), workers=1, mode="lean", store_cache=cache), query
    )
    stores = [p for p in cache.iterdir() if p.is_dir()]
    assert len(stores) == 1
    built = stores[0].stat().st_ino
    second = run_engine(
        EmbeddedEngine(from_files([data], []), workers=1, mode="lean", store_cache=cache), query
    )
    assert second == first
    assert [p.stat().st_ino for p in cache.iterdir() if p.is_dir()] == [built], "built again"
    with data.open("a") as handle:
        handle.write("<urn:x:a> <urn:x:p> <urn:x:b> .\n")
    third = run_engine(
        EmbeddedEngine(from_files([data], []), workers=1, mode="lean", store_cache=cache), query
    )
    assert third != first
    assert len([p for p in cache.iterdir() if p.is_dir()]) == 2


def test_a_store_that_fails_to_build_is_never_served(tmp_path: Path) -> None:
    broken = tmp_path / "broken.nt"
    broken.write_text("<urn:x:a> <urn:x:p> .\n")
    cache = tmp_path / "stores"
    engine = EmbeddedEngine(from_files([broken], []), workers=1, mode="lean", store_cache=cache)
    with pytest.raises(SmartCityGraphError, match=r"broken\.nt"):
        run_engine(engine, "SELECT * {}")
    assert not [p for p in cache.iterdir() if p.is_dir()], "a half-built store was left"


def test_memory_and_lean_modes_answer_alike(tmp_path: Path, release_dir: Path) -> None:
    served = from_files([release_dir / "graph.nt"], [])
    answers = {
        mode: run_engine(
            EmbeddedEngine(served, workers=1, mode=mode, store_cache=tmp_path / "stores"),
            CITIES,
        )
        for mode in ("memory", "lean")
    }
    assert answers["memory"] == answers["lean"]
    assert answers["memory"].count(b"\n") == 37


# -- Caches ----------------------------------------------------------------------------------------


def test_a_repeated_query_is_answered_from_the_result_cache(release_dir: Path) -> None:
    for client in client_for(release_dir, workers=1, query_cache=16):
        first = client.get("/sparql", params={"query": CITIES})
        second = client.get("/sparql", params={"query": CITIES})
        assert first.content == second.content
        cache = client.get("/health").json()["result_cache"]
        assert cache["hits"] >= 1
    for client in client_for(release_dir, workers=1, query_cache=0):
        client.get("/sparql", params={"query": CITIES})
        assert "result_cache" not in client.get("/health").json()


def test_pages_are_made_once_and_revalidated_with_etags(release_dir: Path) -> None:
    for client in client_for(release_dir, workers=1):
        page = client.get("/id/city/milan", headers={"Accept": "text/html"})
        turtle = client.get("/id/city/milan", headers={"Accept": "text/turtle"})
        assert page.headers["etag"] != turtle.headers["etag"]
        again = client.get("/id/city/milan", headers={"Accept": "text/html"})
        assert again.content == page.content
        assert again.headers["etag"] == page.headers["etag"]
        assert again.headers["content-type"].startswith("text/html")
        not_modified = client.get(
            "/id/city/milan",
            headers={"Accept": "text/html", "If-None-Match": page.headers["etag"]},
        )
        assert not_modified.status_code == 304
        assert not_modified.content == b""
        stale = client.get(
            "/id/city/milan", headers={"Accept": "text/html", "If-None-Match": '"other"'}
        )
        assert stale.status_code == 200
        for path in ("/", "/def", "/.well-known/void"):
            first = client.get(path)
            assert (
                client.get(path, headers={"If-None-Match": first.headers["etag"]}).status_code
                == 304
            )


def test_application_json_on_a_resource_is_json_ld(release_dir: Path) -> None:
    for client in client_for(release_dir, workers=1):
        response = client.get("/id/city/milan", headers={"Accept": "application/json"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/ld+json")


@pytest.mark.parametrize("media", ["application/sparql-results+json", "text/csv"])
def test_row_boundaries_inside_literals_do_not_fool_the_count(tmp_path: Path, media: str) -> None:
    """Literals that hold what separates rows in JSON ("},{") and CSV (CRLF)."""
    import csv
    import io

    tricky = 'a},{b},{"c"\r\nd},{}\r\n'
    data = tmp_path / "tricky.nt"
    escaped = (
        tricky.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n")
    )
    data.write_text(
        "".join(f'<urn:x:s{i}> <urn:x:p> "{escaped}{i}" .\n' for i in range(5)), encoding="utf-8"
    )
    query = "SELECT ?s ?o WHERE { ?s <urn:x:p> ?o } ORDER BY ?s"

    def rows(response: object) -> list[str]:
        if media == "text/csv":
            table = list(csv.reader(io.StringIO(response.content.decode(), newline="")))  # type: ignore[attr-defined]
            return [row[1] for row in table[1:]]
        return [b["o"]["value"] for b in response.json()["results"]["bindings"]]  # type: ignore[attr-defined]

    for cap, truncated in ((5, False), (4, True)):
        app = create_app(Settings(max_rows=cap, workers=1), from_files([data], []))
        with TestClient(app) as client:
            response = client.get("/sparql", params={"query": query}, headers={"Accept": media})
            assert rows(response) == [f"{tricky}{i}" for i in range(cap)]
            assert ("sparql-results-truncated" in response.headers) is truncated
