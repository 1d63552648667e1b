"""The w3id.org registration: the committed folder is what the generator writes, and Apache
httpd (Debian's apache2 with mod_rewrite, as w3id.org runs it) sends every kind of IRI to
the right document of a real server."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef

from conftest import ROOT, free_port, stop_process
from smartcity_graph import formats, iris
from smartcity_graph.cli import main
from smartcity_graph.errors import UsageError
from smartcity_graph.graph.pipeline import Release
from smartcity_graph.integrate import w3id
from smartcity_graph.namespaces import BASE

APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
TRIPLES = [fmt for fmt in formats.RDF_FORMATS if not fmt.quads]


# -- The generator and the committed folder ---------------------------------------------------


def test_the_committed_folder_is_what_the_generator_writes_for_the_default_target() -> None:
    folder = ROOT / "w3id.org" / w3id.FOLDER
    assert w3id.FOLDER == "smartcity-graph"
    assert (folder / ".htaccess").read_text(encoding="utf-8") == w3id.htaccess(w3id.DEFAULT_TARGET)
    assert (folder / "README.md").read_text(encoding="utf-8") == w3id.readme(w3id.DEFAULT_TARGET)


def test_the_cli_writes_the_folder_for_a_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "smartcity-graph"
    code = main(["w3id", "--target", "https://graph.example.org/scg/", "--out", str(out)])
    assert code == 0
    assert "wrote" in capsys.readouterr().out
    rules = (out / ".htaccess").read_text(encoding="utf-8")
    assert "https://graph.example.org/scg/$1.ttl [R=303,L]" in rules
    assert "127.0.0.1" not in rules
    assert "https://graph.example.org/scg/" in (out / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "target",
    [
        "127.0.0.1:8000/",  # no scheme
        "ftp://host/",  # not http(s)
        "https://host",  # no trailing slash
        "https://host/?a=b/",  # a query
        "https://host/a b/",  # a space would end the rule
        "https://host/$1/",  # a back-reference
        "https://host/%{HTTP_HOST}/",  # a server variable
    ],
)
def test_a_target_that_cannot_be_written_into_a_rule_is_refused(target: str) -> None:
    with pytest.raises(UsageError):
        w3id.htaccess(target)


def test_a_bad_target_on_the_command_line_exits_2(tmp_path: Path) -> None:
    assert main(["w3id", "--target", "https://host", "--out", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()


def test_the_readme_names_every_part_of_the_namespace_and_a_contact() -> None:
    text = w3id.readme(w3id.DEFAULT_TARGET)
    for part in ("id/{kind}/{slug}", "def", "def/{Term}", "release/{file}", "sparql"):
        assert f"`{BASE}{part}`" in text
    assert "## Contact" in text
    assert "## Redirects" in text


# -- Apache httpd in front of a real server ---------------------------------------------------


@contextlib.contextmanager
def apache(target: str) -> Iterator[str]:
    """Apache httpd on loopback with the w3id folder for *target* as ``/smartcity-graph/``,
    configured as w3id.org is (``AllowOverride All``); yields ``http://…/smartcity-graph/``."""
    if not Path(APACHE).exists() or not (MODULES / "mod_rewrite.so").exists():
        pytest.skip("Apache httpd not installed (Debian package apache2; `make system-deps`)")
    home = Path(tempfile.mkdtemp(prefix="w3id-"))
    home.chmod(0o755)  # Apache's children run as nobody and must reach the .htaccess
    www = home / "www"
    w3id.write(www / w3id.FOLDER, target)
    for path in (www, www / w3id.FOLDER):
        path.chmod(0o755)
    port = free_port()
    modules = ("mpm_event", "authz_core", "dir", "rewrite", "headers")
    config = home / "httpd.conf"
    config.write_text(
        "\n".join(
            [
                f'ServerRoot "{home}"',
                "ServerName 127.0.0.1",
                f"Listen 127.0.0.1:{port}",
                f'PidFile "{home}/httpd.pid"',
                f'DefaultRuntimeDir "{home}"',
                f'ErrorLog "{home}/error.log"',
                "LogLevel warn",
                *(f"LoadModule {m}_module {MODULES}/mod_{m}.so" for m in modules),
                "User nobody",
                "Group nogroup",
                f'DocumentRoot "{www}"',
                f'<Directory "{www}">',
                "  AllowOverride All",
                "  Require all granted",
                "</Directory>",
                "",
            ]
        )
    )
    process = subprocess.Popen(
        [APACHE, "-f", str(config), "-DFOREGROUND"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                log = home / "error.log"
                raise AssertionError(log.read_text() if log.exists() else "apache2 exited")
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(url, timeout=1)
                break
            assert time.monotonic() < deadline, "Apache did not start"
            time.sleep(0.1)
        yield f"{url}{w3id.FOLDER}/"
    finally:
        stop_process(process, 10)
        errors = (home / "error.log").read_text() if (home / "error.log").exists() else ""
        shutil.rmtree(home, ignore_errors=True)
        assert "[core:alert]" not in errors, errors  # e.g. a rule Apache could not parse


@pytest.fixture(scope="module")
def resolver(release_server: str) -> Iterator[str]:
    with apache(release_server + "/") as url:
        yield url


def one_of_each_kind(release: Release) -> dict[str, str]:
    """One IRI per kind of thing in the graph (the first in IRI order; the dataset is
    described in its own graph)."""
    found: dict[str, str] = {}
    for subject in sorted({s for s in release.graph.subjects() if isinstance(s, URIRef)}):
        parsed = iris.parse(str(subject))
        if parsed is not None:
            found.setdefault(parsed[0], str(subject))
    return found


def resolve(resolver: str, iri: str, accept: str | None, expect: int) -> tuple[str, httpx.Response]:
    """GET *iri* through Apache: the redirect (with status *expect*) and its target's answer."""
    assert iri.startswith(BASE)
    headers = {} if accept is None else {"Accept": accept}
    first = httpx.get(resolver + iri[len(BASE) :], headers=headers, timeout=10)
    assert first.status_code == expect, (iri, accept, first.status_code, first.text[:300])
    assert first.headers["vary"] == "Accept"
    assert first.headers["access-control-allow-origin"] == "*"
    location = first.headers["location"]
    return location, httpx.get(location, headers=headers, timeout=30)


def assert_about(response: httpx.Response, fmt: formats.Format, iri: str) -> None:
    assert response.status_code == 200, (response.url, response.text[:300])
    assert response.headers["content-type"].split(";")[0] == fmt.media_type
    graph = Graph().parse(data=response.content, format=fmt.rdflib_name, publicID=iri)
    assert (URIRef(iri), None, None) in graph, f"{response.url} says nothing about <{iri}>"


def test_every_kind_of_thing_lands_on_its_document_in_each_format(
    resolver: str, release_server: str, release: Release
) -> None:
    things = one_of_each_kind(release) | {"dataset": str(iris.DATASET)}
    assert {"city", "country", "quote", "commitment", "statement", "source"} <= set(things)
    for kind, iri in things.items():
        path = iri[len(BASE) :]
        for fmt in TRIPLES:
            location, answer = resolve(resolver, iri, fmt.media_type, 303)
            assert location == f"{release_server}/{path}.{fmt.extension}", kind
            assert_about(answer, fmt, iri)
        location, answer = resolve(resolver, iri, BROWSER, 303)
        assert location == f"{release_server}/{path}.html", kind
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/html")


def test_the_ontology_and_its_terms_land_on_their_documents(
    resolver: str, release_server: str
) -> None:
    ontology = str(iris.ONTOLOGY)
    location, answer = resolve(resolver, ontology, "text/turtle", 303)
    assert location == f"{release_server}/def.ttl"
    assert_about(answer, formats.BY_NAME["turtle"], ontology)
    location, answer = resolve(resolver, ontology, BROWSER, 303)
    assert location == f"{release_server}/def.html"
    assert answer.status_code == 200
    assert "text/html" in answer.headers["content-type"]
    term = BASE + "def/RoadmapCommitment"
    location, answer = resolve(resolver, term, "application/ld+json", 303)
    assert location == f"{release_server}/def/RoadmapCommitment.jsonld"
    assert_about(answer, formats.BY_NAME["jsonld"], term)
    # A hash IRI's fragment never reaches a server: def#x is def.
    location, _ = resolve(resolver, BASE + "def", "application/n-triples", 303)
    assert location == f"{release_server}/def.nt"


def test_a_suffixed_document_and_a_download_go_straight_through(
    resolver: str, release_server: str, release_dir: Path
) -> None:
    location, answer = resolve(resolver, BASE + "id/city/medellin.jsonld", None, 302)
    assert location == f"{release_server}/id/city/medellin.jsonld"
    assert_about(answer, formats.BY_NAME["jsonld"], BASE + "id/city/medellin")
    location, answer = resolve(resolver, str(iris.download("graph.ttl")), None, 302)
    assert location == f"{release_server}/release/graph.ttl"
    assert answer.status_code == 200
    assert answer.content == (release_dir / "graph.ttl").read_bytes()
    _, manifest = resolve(resolver, str(iris.download("manifest.json")), None, 302)
    assert manifest.json()["files"]


def test_the_dataset_resolves_to_its_description(resolver: str, release_server: str) -> None:
    dataset = str(iris.DATASET)
    location, answer = resolve(resolver, dataset, "text/turtle", 303)
    assert location == f"{release_server}/id/dataset/smartcity-graph.ttl"
    graph = Graph().parse(data=answer.content, format="turtle")
    dumps = set(graph.objects(URIRef(dataset), URIRef("http://rdfs.org/ns/void#dataDump")))
    assert dumps, "the dataset's document lists its dumps"


def test_weighted_or_several_types_are_left_to_the_server_to_negotiate(
    resolver: str, release_server: str
) -> None:
    iri = BASE + "id/city/milan"
    accept = "text/turtle;q=0.5, application/ld+json"
    location, answer = resolve(resolver, iri, accept, 303)
    assert location == f"{release_server}/id/city/milan"
    assert_about(answer, formats.BY_NAME["jsonld"], iri)
    location, _ = resolve(resolver, iri, None, 303)
    assert location == f"{release_server}/id/city/milan"


def test_the_query_string_is_kept(resolver: str, release_server: str) -> None:
    iri = BASE + "id/city/milan"
    location, answer = resolve(resolver, iri + "?_profile=wikidata", "text/turtle", 303)
    assert location == f"{release_server}/id/city/milan.ttl?_profile=wikidata"
    assert answer.status_code == 200


def test_the_endpoint_and_the_landing_page_keep_the_method(
    resolver: str, release_server: str
) -> None:
    first = httpx.post(
        resolver + "sparql",
        data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://schema.org/City> }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    assert first.status_code == 307
    assert first.headers["location"] == f"{release_server}/sparql"
    answer = httpx.post(
        first.headers["location"],
        data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://schema.org/City> }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    assert answer.json()["results"]["bindings"][0]["n"]["value"] == "36"
    landing = httpx.get(resolver, headers={"Accept": BROWSER}, timeout=10)
    assert landing.status_code == 307
    assert landing.headers["location"] == f"{release_server}/"


def test_something_not_in_the_namespace_reaches_the_server_and_is_a_404(
    resolver: str, release_server: str
) -> None:
    location, answer = resolve(resolver, BASE + "id/city/atlantis", "text/turtle", 303)
    assert location == f"{release_server}/id/city/atlantis.ttl"
    assert answer.status_code == 404
