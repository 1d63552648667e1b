"""Hostile input files: refused before any parser reads them, in one line, with exit code 2.

Everything the server (``serve --data`` / ``--graph``) or the build (``data/``,
``ontology/``, ``shapes/``) parses passes the input guard first
(``src/smartcity_graph/graph/input_guard.py``). Each case here runs the real command line
as a user would, and expects: exit code 2, exactly one line on stderr naming the file and
the reason, no traceback, nothing served, no request to anyone, and (for the bombs) no
memory or time spent on the bomb. Small files are in ``tests/fixtures/hostile/``; the big
ones are generated here at run time.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, build_args
from smartcity_graph.graph.input_guard import InputLimits
from smartcity_graph.settings import Settings

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
TRIPLE = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
DEFAULTS = InputLimits()
RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/"'
#: Peak memory (RSS, MB) of a ``serve`` that refuses its input: the interpreter and the
#: imports, about 75 MB here. A bomb that went off would cost far more (the billion laughs
#: took 386 MB before the guard; the quadratic blow-up 1 GB).
REFUSAL_MEMORY_MB = 200

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


#: Runs a command and writes its exit status and peak memory to a file. Measured from this
#: small process rather than from pytest: Linux carries a process's peak RSS across exec, so
#: a child forked straight from pytest would report pytest's own peak as its own.
MEASURE = """
import json, os, subprocess, sys, threading
process = subprocess.Popen(sys.argv[3:])
timer = threading.Timer(float(sys.argv[2]), process.kill)
timer.start()
_, status, usage = os.wait4(process.pid, 0)
timer.cancel()
with open(sys.argv[1], "w") as report:
    json.dump({"code": os.waitstatus_to_exitcode(status), "peak_kb": usage.ru_maxrss}, report)
"""


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Outcome:
    """``python -m smartcity_graph ARGS`` to its end, with its own peak memory."""
    with (
        tempfile.TemporaryDirectory() as folder,
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
    ):
        report = Path(folder) / "report.json"
        started = time.monotonic()
        command = [sys.executable, "-c", MEASURE, str(report), str(timeout)]
        process = subprocess.run(
            [*command, sys.executable, "-m", "smartcity_graph", *args],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=os.environ | (env or {}),
            timeout=timeout + 30,
            check=False,
        )
        seconds = time.monotonic() - started
        assert process.returncode == 0, "the measuring process failed"
        measured = json.loads(report.read_text())
        out.seek(0)
        err.seek(0)
        return Outcome(
            measured["code"],
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            seconds,
            measured["peak_kb"] / 1024,
        )


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers anything with a JSON-LD context, and remembers that it was asked."""

    requests: list[str] = []  # noqa: RUF012 - shared on purpose: the server's one record

    def do_GET(self) -> None:
        Recorder.requests.append(self.path)
        body = b'{"@context": {"name": "http://example.org/name"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def listener() -> Iterator[int]:
    """A loopback HTTP server named in the hostile files: it must never be asked anything."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_the_listener_does_record_a_request(listener: int) -> None:
    """The no-request assertions below can fail: a real request is seen."""
    import httpx

    before = len(Recorder.requests)
    assert httpx.get(f"http://127.0.0.1:{listener}/context.jsonld").status_code == 200
    assert len(Recorder.requests) == before + 1


# -- the cases --------------------------------------------------------------------------------


def fixture(name: str) -> Callable[[Path, int], Path]:
    def make(folder: Path, port: int) -> Path:
        target = folder / name
        target.write_bytes((HOSTILE / name).read_bytes().replace(b"PORT", str(port).encode()))
        return target

    return make


def generated(name: str, content: Callable[[], bytes]) -> Callable[[Path, int], Path]:
    def make(folder: Path, port: int) -> Path:
        target = folder / name
        target.write_bytes(content())
        return target

    return make


def quadratic_blowup() -> bytes:
    """One 100 KB entity referenced 10,000 times: 1 GB once expanded (no nesting at all,
    which defeats parsers that only limit the depth of entity expansion)."""
    entity = "x" * 100_000
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY big "{entity}">]>\n'
        f'<rdf:RDF {RDF}><rdf:Description rdf:about="http://example.org/s">'
        f"<ex:p>{'&big;' * 10_000}</ex:p></rdf:Description></rdf:RDF>\n"
    ).encode()


def giant_literal_nt() -> bytes:
    return b'<http://example.org/s> <http://example.org/p> "' + b"x" * 10_000_000 + b'" .\n'


def giant_literal_line() -> bytes:
    """What the billion laughs became in pyoxigraph's store: a 100 MB literal. On one line
    of N-Triples, the line is refused first."""
    return b'<http://example.org/s> <http://example.org/p> "' + b"x" * 100_000_000 + b'" .\n'


def giant_literal_ttl() -> bytes:
    """A long string spread over short lines: no line is long, the literal is."""
    return b'<http://example.org/s> <http://example.org/p> """' + b"x\n" * 5_000_000 + b'""" .\n'


def giant_literal_jsonld() -> bytes:
    return b'{"@id": "http://example.org/s", "http://example.org/p": "' + b"x" * 9_000_000 + b'"}'


def giant_literal_rdfxml() -> bytes:
    return (
        f'<?xml version="1.0"?><rdf:RDF {RDF}>'
        f'<rdf:Description rdf:about="http://example.org/s"><ex:p>{"x" * 9_000_000}</ex:p>'
        "</rdf:Description></rdf:RDF>"
    ).encode()


def giant_line() -> bytes:
    """17 MiB of short triples on one line: no literal is long, the line is."""
    triple = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> . "
    return triple * (17 * 2**20 // len(triple) + 1) + b"\n"


def deep_jsonld() -> bytes:
    """10,000 nested objects: pyoxigraph 0.5.13 needs memory quadratic in the depth and
    overflows its stack at about 4,000 (a segfault)."""
    return (
        b'{"@id": "http://example.org/s", "http://example.org/p": '
        + b'{"http://example.org/p": ' * 10_000
        + b"1"
        + b"}" * 10_001
    )


def deep_turtle() -> bytes:
    return (
        b"<http://example.org/s> <http://example.org/p> "
        + b"[ <http://example.org/p> " * 10_000
        + b"1"
        + b" ]" * 10_000
        + b" .\n"
    )


def deep_triple_term() -> bytes:
    """An RDF 1.2 triple term nested 100,000 deep: pyoxigraph overflows its stack."""
    term = b"<<( <http://example.org/s> <http://example.org/p> "
    return (
        b"<http://example.org/s> <http://example.org/p> "
        + term * 100_000
        + b"<http://example.org/o>"
        + b" )>>" * 100_000
        + b" .\n"
    )


def deep_rdfxml() -> bytes:
    """100,000 nested elements: pyoxigraph took minutes (quadratic in the depth)."""
    return (
        f'<?xml version="1.0"?><rdf:RDF {RDF}><rdf:Description rdf:about="http://example.org/s">'
        + '<ex:p rdf:parseType="Resource">' * 100_000
        + "<ex:q>1</ex:q>"
        + "</ex:p>" * 100_000
        + "</rdf:Description></rdf:RDF>"
    ).encode()


@dataclass(frozen=True)
class Case:
    make: Callable[[Path, int], Path]
    reason: str
    line: int | None = None
    bomb: bool = False
    """A small file that would cost far more than its size: check its memory too."""


LIMIT = f"max_input_literal_bytes ({DEFAULTS.max_literal_bytes:,} bytes)"
DEPTH = f"max_input_depth ({DEFAULTS.max_depth})"
CASES = {
    "billion laughs (XML entities, 10 per level, 9 levels)": Case(
        fixture("billion-laughs.rdf"), "an XML DOCTYPE", 2, bomb=True
    ),
    "quadratic blow-up (one 100 KB entity used 10,000 times)": Case(
        generated("quadratic.rdf", quadratic_blowup), "an XML DOCTYPE", 2, bomb=True
    ),
    "external entity (SYSTEM file:///etc/passwd)": Case(
        fixture("external-entity-system.rdf"), "an XML DOCTYPE", 2
    ),
    "external entity (PUBLIC, http)": Case(
        fixture("external-entity-public.rdf"), "an XML DOCTYPE", 2
    ),
    "parameter entity (an external DTD fetched inside the internal subset)": Case(
        fixture("parameter-entity.rdf"), "an XML DOCTYPE", 2
    ),
    "external DTD (DOCTYPE SYSTEM http)": Case(fixture("external-dtd.rdf"), "an XML DOCTYPE", 2),
    "remote JSON-LD @context": Case(
        fixture("remote-context.jsonld"), "a JSON-LD @context that refers to a remote document", 2
    ),
    "remote JSON-LD @context in a context array": Case(
        fixture("remote-context-in-array.jsonld"),
        "a JSON-LD @context that refers to a remote document",
        4,
    ),
    "remote JSON-LD @context under an escaped key (\\u0040context)": Case(
        fixture("remote-context-escaped-key.jsonld"),
        "a JSON-LD @context that refers to a remote document",
        2,
    ),
    "remote JSON-LD @context scoped to a term": Case(
        fixture("remote-scoped-context.jsonld"),
        "a JSON-LD @context that refers to a remote document",
        4,
    ),
    "JSON-LD @import": Case(fixture("import-context.jsonld"), "a JSON-LD @import", 4),
    "a 10 MB literal (N-Triples)": Case(
        generated("giant-literal.nt", giant_literal_nt), f"a literal longer than {LIMIT}", 1
    ),
    "a 100 MB literal on one line (N-Triples)": Case(
        generated("giant-line-literal.nt", giant_literal_line),
        f"a line longer than max_input_line_bytes ({DEFAULTS.max_line_bytes:,} bytes)",
        1,
    ),
    "a 10 MB long string over 5 million short lines (Turtle)": Case(
        generated("giant-literal.ttl", giant_literal_ttl), f"a literal longer than {LIMIT}", 1
    ),
    "a 9 MB string (JSON-LD)": Case(
        generated("giant-literal.jsonld", giant_literal_jsonld), f"a string longer than {LIMIT}", 1
    ),
    "a 9 MB text (RDF/XML)": Case(
        generated("giant-literal.rdf", giant_literal_rdfxml),
        f"an XML text or attribute longer than {LIMIT}",
        1,
    ),
    "a 17 MiB line of short triples (N-Triples)": Case(
        generated("giant-line.nt", giant_line),
        f"a line longer than max_input_line_bytes ({DEFAULTS.max_line_bytes:,} bytes)",
        1,
    ),
    "JSON-LD nested 10,000 deep": Case(
        generated("deep.jsonld", deep_jsonld), f"JSON nested deeper than {DEPTH}", 1, bomb=True
    ),
    "Turtle blank nodes nested 10,000 deep": Case(
        generated("deep.ttl", deep_turtle),
        f"brackets, collections or triple terms nested deeper than {DEPTH}",
        1,
        bomb=True,
    ),
    "N-Triples triple terms nested 100,000 deep": Case(
        generated("deep.nt", deep_triple_term),
        f"brackets, collections or triple terms nested deeper than {DEPTH}",
        1,
        bomb=True,
    ),
    "RDF/XML elements nested 100,000 deep": Case(
        generated("deep.rdf", deep_rdfxml), f"XML elements nested deeper than {DEPTH}", 1
    ),
    "Latin-1 bytes in Turtle": Case(
        fixture("latin1.ttl"), "the bytes are not UTF-8 (byte 0xE1 at offset 56)", 3
    ),
    "UTF-16 N-Triples": Case(fixture("utf16.nt"), "the bytes are not UTF-8 (byte 0xFF", 1),
    "Turtle in a .rdf file": Case(
        fixture("turtle-in.rdf"), "the content is not RDF/XML, which its suffix '.rdf' names"
    ),
    "N-Triples in a .rdf file": Case(
        fixture("ntriples-in.rdf"), "the content is not RDF/XML, which its suffix '.rdf' names"
    ),
    "JSON in a .ttl file": Case(
        fixture("json-in.ttl"), "the content is not Turtle, TriG or N3, which its suffix '.ttl'"
    ),
    "RDF/XML in a .jsonld file": Case(
        fixture("xml-in.jsonld"), "the content is not JSON-LD, which its suffix '.jsonld' names"
    ),
}


def assert_refused_in_one_line(outcome: Outcome, path: Path, case: Case) -> None:
    lines = outcome.stderr.splitlines()
    assert outcome.code == 2, outcome.stderr
    assert len(lines) == 1, outcome.stderr
    where = f"{path}:{case.line}" if case.line else str(path)
    assert lines[0].startswith(f"smartcity-graph: error: {where}: refused: {case.reason}"), lines
    assert "Traceback" not in outcome.stderr
    assert "Application startup failed" not in outcome.stderr
    assert "serving on" not in outcome.stdout


@pytest.mark.parametrize("name", CASES)
def test_serve_refuses_a_hostile_file_in_one_line_with_exit_code_2(
    name: str, tmp_path: Path, listener: int
) -> None:
    case = CASES[name]
    path = case.make(tmp_path, listener)
    before = len(Recorder.requests)
    outcome = run_cli(
        "serve", "--data", str(path), "--port", "0", "--store-cache", str(tmp_path / "stores")
    )
    assert_refused_in_one_line(outcome, path, case)
    assert len(Recorder.requests) == before, "the hostile file made a request"
    assert outcome.seconds < 30, f"{outcome.seconds:.1f} s to refuse"
    if case.bomb:
        assert outcome.peak_mb < REFUSAL_MEMORY_MB, f"{outcome.peak_mb:.0f} MB to refuse"
    stores = tmp_path / "stores"
    assert not stores.exists() or not [p for p in stores.iterdir() if p.is_dir()], "a store"


@pytest.mark.parametrize(
    "name",
    [
        "billion laughs (XML entities, 10 per level, 9 levels)",
        "remote JSON-LD @context",
        "JSON-LD nested 10,000 deep",
    ],
)
def test_lean_mode_refuses_the_same_way_from_its_store_building_process(
    name: str, tmp_path: Path, listener: int
) -> None:
    case = CASES[name]
    path = case.make(tmp_path, listener)
    outcome = run_cli(
        "serve",
        "--data",
        str(path),
        "--store-mode",
        "lean",
        "--port",
        "0",
        "--store-cache",
        str(tmp_path / "stores"),
    )
    assert_refused_in_one_line(outcome, path, case)
    assert not [p for p in (tmp_path / "stores").iterdir() if p.is_dir()], "a store was kept"


def test_a_hostile_named_graph_is_refused_and_no_good_file_is_loaded_before_it(
    tmp_path: Path, listener: int
) -> None:
    good = tmp_path / "good.nt"
    good.write_text("<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n")
    case = CASES["remote JSON-LD @context"]
    path = case.make(tmp_path, listener)
    outcome = run_cli(
        "serve",
        "--data",
        str(good),
        "--graph",
        f"http://example.org/g={path}",
        "--port",
        "0",
        "--store-cache",
        str(tmp_path / "stores"),
    )
    assert_refused_in_one_line(outcome, path, case)


def test_a_file_over_max_input_bytes_is_refused_on_its_size_before_it_is_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "big.nt"
    path.write_bytes(
        b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n" * 100
    )
    outcome = run_cli(
        "serve",
        "--data",
        str(path),
        "--port",
        "0",
        env={"SMARTCITY_GRAPH_MAX_INPUT_BYTES": "1000"},
    )
    case = Case(fixture(""), "the file is 7,100 bytes, over max_input_bytes (1,000)")
    assert_refused_in_one_line(outcome, path, case)


@pytest.mark.parametrize(
    ("setting", "value", "content", "reason"),
    [
        (
            "MAX_INPUT_LINE_BYTES",
            "100",
            b"<http://example.org/s> <http://example.org/p> " + b'"' + b"x" * 60 + b'" .\n',
            "a line longer than max_input_line_bytes (100 bytes)",
        ),
        (
            "MAX_INPUT_LITERAL_BYTES",
            "50",
            b"<http://example.org/s> <http://example.org/p> " + b'"' + b"x" * 60 + b'" .\n',
            "a literal longer than max_input_literal_bytes (50 bytes)",
        ),
        (
            "MAX_INPUT_DEPTH",
            "2",
            b"<http://example.org/s> <http://example.org/p> "
            b"<<( <http://example.org/s> <http://example.org/p> "
            b"<<( <http://example.org/s> <http://example.org/p> "
            b"<<( <http://example.org/s> <http://example.org/p> <http://example.org/o> "
            b")>> )>> )>> .\n",
            "brackets, collections or triple terms nested deeper than max_input_depth (2)",
        ),
    ],
)
def test_each_limit_is_a_setting(
    setting: str, value: str, content: bytes, reason: str, tmp_path: Path
) -> None:
    path = tmp_path / "small.nt"
    path.write_bytes(content)
    outcome = run_cli(
        "serve",
        "--data",
        str(path),
        "--port",
        "0",
        env={f"SMARTCITY_GRAPH_{setting}": value},
    )
    assert_refused_in_one_line(outcome, path, Case(fixture(""), reason, 1))


def test_the_limits_have_the_documented_defaults() -> None:
    settings = Settings()
    assert settings.max_input_bytes == 4 * 2**30
    assert settings.max_input_line_bytes == 16 * 2**20
    assert settings.max_input_literal_bytes == 8 * 2**20
    assert settings.max_input_depth == 64
    assert InputLimits.from_settings(settings) == DEFAULTS


def test_files_within_the_limits_are_served(tmp_path: Path) -> None:
    """The guard refuses the hostile, not the ordinary: nesting just within the limit, an
    inline JSON-LD context, RDF/XML with XML's own entities and character references."""
    import httpx

    from conftest import running_server

    files = {
        "nested.ttl": b"<http://example.org/s> <http://example.org/p> "
        + b"[ <http://example.org/p> " * 63
        + b"1"
        + b" ]" * 63
        + b" .\n",
        "inline.jsonld": b'{"@context": {"@vocab": "http://example.org/"}, '
        b'"@id": "http://example.org/j", "name": "' + b"y" * 1000 + b'"}',
        "plain.rdf": f'<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF {RDF}>'
        '<rdf:Description rdf:about="http://example.org/x"><ex:p>a &amp; b &#233;</ex:p>'
        "</rdf:Description></rdf:RDF>\n".encode(),
    }
    arguments: list[str] = []
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        arguments += ["--data", str(tmp_path / name)]
    with running_server(*arguments, "--store-cache", str(tmp_path / "stores")) as url:
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        response = httpx.get(url + "/sparql", params={"query": count}, timeout=30)
        assert response.status_code == 200
        assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == 63 + 1 + 1 + 1


# -- the build --------------------------------------------------------------------------------


def snapshot(directory: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.iterdir())
    }


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good release, built by the command line from the real data."""
    out = tmp_path_factory.mktemp("published") / "release"
    outcome = run_cli("build", *build_args(ROOT / "data", out))
    assert outcome.code == 0, outcome.stderr
    return out


def yaml_alias_bomb(text: str) -> str:
    """The YAML 'billion laughs': each alias repeats the whole list before it."""
    lines = ["- id: lol0", "  alternate_names: &lol0 [lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        aliases = ", ".join([f"*lol{level - 1}"] * 9)
        lines += [f"- id: lol{level}", f"  alternate_names: &lol{level} [{aliases}]"]
    return text + "\n".join(lines) + "\n"


def deep_yaml(text: str) -> str:
    return text + "- id: deep\n  alternate_names: " + "[" * 5000 + "]" * 5000 + "\n"


BUILD_CASES = {
    "a YAML alias bomb in data/cities.yaml": (
        "data/cities.yaml",
        lambda path: path.write_text(yaml_alias_bomb(path.read_text(encoding="utf-8"))),
        "a YAML anchor or alias",
    ),
    "YAML nested 5,000 deep in data/cities.yaml": (
        "data/cities.yaml",
        lambda path: path.write_text(deep_yaml(path.read_text(encoding="utf-8"))),
        f"YAML nested deeper than {DEPTH}",
    ),
    "Latin-1 bytes in data/people.yaml": (
        "data/people.yaml",
        lambda path: path.write_bytes(path.read_bytes() + "# Bogot\xe1\n".encode("latin-1")),
        "the bytes are not UTF-8",
    ),
    "a 17 MiB line in data/sources.yaml": (
        "data/sources.yaml",
        lambda path: path.write_bytes(path.read_bytes() + b"# " + b"x" * 17 * 2**20 + b"\n"),
        "a line longer than max_input_line_bytes",
    ),
    "a 9 MB quoted field in data/commitments.csv": (
        "data/commitments.csv",
        lambda path: path.write_bytes(path.read_bytes() + b'"' + b"x" * 9_000_000 + b'"\n'),
        "a CSV field longer than max_input_literal_bytes",
    ),
    "Turtle nested 10,000 deep in the ontology (rdflib would recurse until it fails)": (
        "ontology/smartcity-graph.ttl",
        lambda path: path.write_bytes(path.read_bytes() + b"\n" + deep_turtle()),
        "brackets, collections or triple terms nested deeper than max_input_depth",
    ),
    "JSON in a shapes .ttl file": (
        "shapes/smartcity-graph-shapes.ttl",
        lambda path: path.write_bytes((HOSTILE / "json-in.ttl").read_bytes()),
        "the content is not Turtle, TriG or N3",
    ),
}


@pytest.mark.parametrize("name", BUILD_CASES)
def test_build_refuses_a_hostile_input_file_in_one_line_and_leaves_the_release_untouched(
    name: str, tmp_path: Path, published: Path
) -> None:
    relative, damage, reason = BUILD_CASES[name]
    for folder in ("data", "ontology", "shapes"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    target = tmp_path / relative
    damage(target)
    before = snapshot(published)
    outcome = run_cli(
        "build",
        "--data",
        str(tmp_path / "data"),
        "--ontology",
        str(tmp_path / "ontology"),
        "--shapes",
        str(tmp_path / "shapes"),
        "--out",
        str(published),
    )
    lines = outcome.stderr.splitlines()
    assert outcome.code == 2, outcome.stderr
    assert len(lines) == 1, outcome.stderr
    assert lines[0].startswith(f"smartcity-graph: error: {target}:"), lines
    assert f": refused: {reason}" in lines[0]
    assert "Traceback" not in outcome.stderr
    assert snapshot(published) == before
    assert [p.name for p in published.parent.iterdir()] == ["release"]
    assert outcome.peak_mb < REFUSAL_MEMORY_MB + 100, f"{outcome.peak_mb:.0f} MB"


def test_the_documented_exit_code_2_covers_refused_input() -> None:
    from smartcity_graph.cli import EXIT_CODES

    assert "refused" in EXIT_CODES[2]


# -- the guard reads each format as its parser does -------------------------------------------

SHALLOW = InputLimits(max_depth=2, max_literal_bytes=40)


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        # Brackets in strings, IRIs and comments are not nesting; quotes in comments and
        # IRIs open no string; a long string may hold quotes and newlines.
        ("ttl", b'<http://e/s> <http://e/p> "[[[[ (((( <<<<" . # [[[[ "it\'s" ((((\n'),
        ("ttl", b"<http://e/s#[[[> <http://e/p(((> [ <http://e/p> ( 1 ) ] .\n"),
        ("ttl", b'<http://e/s> <http://e/p> """a "quoted" [[[[\n(((("""@en .\n'),
        ("ttl", b"@prefix e: <http://e/> .\ne:s e:p e:o\\#x, 'a [[[ b' .\n"),
        ("nt", b'<http://e/s> <http://e/p> "<< << << <<"@en .\n'),
        ("jsonld", b'{"@id": "http://e/s", "http://e/p": "[[[[ {{{{ \\" ]]]]"}'),
        ("jsonld", b'{"@context": {"@vocab": "http://e/"}, "@id": "http://e/s", "a": [1, 2]}'),
        ("jsonld", b'{"@id": "http://e/s", "http://e/p": "@context"}'),
        ("rdf", b'<?xml version="1.0"?>\n<!-- a comment, <!DOCTYPE> in it -->\n<r a="b"/>\n'),
    ],
)
def test_what_only_looks_hostile_passes(kind: str, content: bytes) -> None:
    from smartcity_graph.graph.input_guard import check

    check(content, kind, "ordinary", SHALLOW)


@pytest.mark.parametrize(
    ("kind", "content", "reason"),
    [
        # Closers hidden in strings must not pay for openers outside them.
        (
            "ttl",
            b'<http://e/s> <http://e/p> [ <http://e/p> "]]]]" , [ <http://e/p> [ ] ] ] .\n',
            "nested deeper than max_input_depth (2)",
        ),
        ("jsonld", b'{"a": "]]]]}}}}", "b": [[[1]]]}', "nested deeper than max_input_depth (2)"),
        # An escaped quote does not end a string.
        ("ttl", b'<http://e/s> <http://e/p> "' + b'\\"' * 30 + b'" .\n', "a literal longer"),
        ("jsonld", b'{"a": "' + b'\\"' * 30 + b'"}', "a string longer"),
        # A quote in a comment starts no string that would hide what follows.
        ("ttl", b"# it's\n<http://e/s> <http://e/p> ( ( ( 1 ) ) ) .\n", "nested deeper"),
    ],
)
def test_what_is_hostile_cannot_hide_in_strings_or_comments(
    kind: str, content: bytes, reason: str
) -> None:
    from smartcity_graph.errors import UnsafeInput
    from smartcity_graph.graph.input_guard import check

    with pytest.raises(UnsafeInput, match=re.escape(reason)):
        check(content, kind, "hostile", SHALLOW)
