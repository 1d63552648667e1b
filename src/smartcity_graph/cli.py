"""The command line. Maps errors to exit codes: 0 ok, 1 invalid data, 2 usage/config."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .errors import SmartCityGraphError
from .settings import Settings

#: Exit codes, documented in the README (a test checks the table).
EXIT_CODES = {
    0: "success (the data conforms; the release was written)",
    1: "invalid data: a data file has a bad record, or the graph breaks a SHACL shape",
    2: "usage or configuration error, an input file refused as unsafe, or the release could "
    "not be written",
}


def _paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", dest="data_dir", type=Path, help="curated data directory")
    parser.add_argument("--ontology", dest="ontology_dir", type=Path, help="ontology directory")
    parser.add_argument("--shapes", dest="shapes_dir", type=Path, help="SHACL shapes directory")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="smartcity-graph",
        description="Build, validate and serve the G20 Global Smart Cities Alliance "
        "pioneer-cities knowledge graph.",
    )
    root.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="validate the data and publish a release")
    _paths(build)
    build.add_argument(
        "--out", dest="release_dir", type=Path, help="release directory (default: release)"
    )
    build.add_argument(
        "--date", dest="release_date", help="release date (YYYY-MM-DD) recorded as dcterms:modified"
    )
    build.set_defaults(handler=_build)

    validate = commands.add_parser("validate", help="validate only; publish nothing")
    _paths(validate)
    validate.set_defaults(handler=_validate)

    serve = commands.add_parser(
        "serve", help="serve a release (or RDF files) read-only: SPARQL, linked data, downloads"
    )
    serve.add_argument(
        "--release",
        dest="release_dir",
        type=Path,
        help="release directory to serve (default: release)",
    )
    serve.add_argument(
        "--data",
        dest="serve_data",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="an RDF file to serve (default graph; quad formats keep their graphs); repeatable",
    )
    serve.add_argument(
        "--graph",
        dest="serve_graphs",
        action="append",
        default=[],
        metavar="IRI=FILE",
        help="an RDF file to serve as named graph IRI; repeatable",
    )
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument(
        "--sparql-endpoint",
        dest="sparql_endpoint",
        metavar="URL",
        help="forward queries to this remote SPARQL 1.1 endpoint",
    )
    serve.add_argument(
        "--public-base-url",
        dest="public_base_url",
        metavar="URL",
        help="URL where this server is reached, for links",
    )
    serve.add_argument("--query-timeout", dest="query_timeout", type=float, metavar="SECONDS")
    serve.add_argument("--max-rows", dest="max_rows", type=int, metavar="N")
    serve.add_argument(
        "--workers", type=int, metavar="N", help="query worker processes (0: one per core)"
    )
    serve.add_argument(
        "--store-mode",
        dest="store_mode",
        choices=("auto", "memory", "lean"),
        help="memory (fastest), lean (on-disk, least memory) or auto",
    )
    serve.add_argument(
        "--store-cache",
        dest="store_cache",
        metavar="DIR",
        help="folder of the reusable on-disk stores of lean mode",
    )
    serve.add_argument(
        "--query-cache",
        dest="query_cache",
        type=int,
        metavar="N",
        help="query results kept in memory (0: no result cache)",
    )
    serve.set_defaults(handler=_serve)

    wikidata = commands.add_parser("wikidata", help="check our Wikidata links; propose statements")
    actions = wikidata.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, helptext in (
        ("check", "compare our facts with Wikidata's, per entity"),
        ("quickstatements", "QuickStatements for sourced facts Wikidata lacks"),
    ):
        action = actions.add_parser(name, help=helptext)
        action.add_argument(
            "--release", dest="release_dir", type=Path, help="release to read (default: release)"
        )
        action.add_argument(
            "--fixtures",
            dest="wikidata_fixtures",
            type=Path,
            metavar="DIR",
            help="recorded Special:EntityData JSON files (Q….json)",
        )
        action.add_argument(
            "--live",
            dest="wikidata_live",
            action="store_true",
            help="fetch entity JSON from wikidata.org (needs the network)",
        )
        if name == "check":
            action.add_argument(
                "--json",
                dest="wikidata_json",
                action="store_true",
                help="print JSON instead of a table",
            )
            action.add_argument(
                "--tolerance-km",
                dest="wikidata_tolerance",
                type=float,
                default=10.0,
                help="coordinates agree within this distance",
            )
        action.set_defaults(handler=_wikidata)

    w3id = commands.add_parser(
        "w3id", help="write the w3id.org folder (.htaccess, README.md) for a deployment"
    )
    w3id.add_argument(
        "--target",
        dest="w3id_target",
        metavar="URL",
        default="http://127.0.0.1:8000/",
        help="where the server answers, ending in '/' (default http://127.0.0.1:8000/)",
    )
    w3id.add_argument(
        "--out",
        dest="w3id_out",
        type=Path,
        metavar="DIR",
        help="folder to write (default: w3id.org/ and the namespace's folder name)",
    )
    w3id.set_defaults(handler=_w3id)
    return root


def _build(settings: Settings, out: Callable[[str], None], extra: dict[str, object]) -> int:
    from .graph.pipeline import build

    release = build(settings)
    out(f"release written to {release.path}")
    out(f"{len(release.graph)} triples; {len(release.files) + 1} files (see manifest.json)")
    return 0


def _validate(settings: Settings, out: Callable[[str], None], extra: dict[str, object]) -> int:
    from .graph.pipeline import validate_only

    report = validate_only(settings)
    out(report.describe())
    return 0 if report.conforms else 1


def _serve(settings: Settings, out: Callable[[str], None], extra: dict[str, object]) -> int:
    from .graph.input_guard import InputLimits
    from .query.dataset import from_files, from_release
    from .web.server import serve

    data = extra.get("serve_data") or []
    graphs = extra.get("serve_graphs") or []
    assert isinstance(data, list)
    assert isinstance(graphs, list)
    limits = InputLimits.from_settings(settings)
    served = (
        from_files(data, graphs, limits)
        if data or graphs
        else from_release(settings.release_dir, limits)
    )
    return serve(settings, served, out)


def _entity_documents(
    qids: list[str], fixtures: Path | None, live: bool, out: Callable[[str], None]
) -> dict[str, dict[str, object] | None]:
    """Entity JSON per QID: from recorded files, else (with --live) from wikidata.org."""
    import httpx

    from .graph.sources import read_entity_documents
    from .integrate.wikidata import ENTITY_DATA_URL

    recorded = read_entity_documents(fixtures, qids)
    documents: dict[str, dict[str, object] | None] = {}
    for qid in qids:
        if qid in recorded:
            documents[qid] = recorded[qid]
        elif live:
            try:
                response = httpx.get(
                    ENTITY_DATA_URL.format(qid=qid),
                    timeout=20,
                    follow_redirects=True,
                    headers={"User-Agent": "smartcity-graph wikidata check"},
                )
                response.raise_for_status()
                documents[qid] = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                out(f"# {qid}: not fetched ({exc.__class__.__name__}: {exc})")
                documents[qid] = None
        else:
            documents[qid] = None
    return documents


def _wikidata(settings: Settings, out: Callable[[str], None], extra: dict[str, object]) -> int:
    from .graph.input_guard import InputLimits
    from .graph.sources import read_release_graph
    from .integrate.wikidata import as_json, as_table, check_all, our_facts, quickstatements

    graph = read_release_graph(settings.release_dir, InputLimits.from_settings(settings))
    fixtures = extra.get("wikidata_fixtures")
    assert fixtures is None or isinstance(fixtures, Path)
    qids = sorted({facts.qid for facts in our_facts(graph)})
    documents = _entity_documents(qids, fixtures, bool(extra.get("wikidata_live")), out)
    if extra.get("action") == "quickstatements":
        out(quickstatements(graph, documents).rstrip("\n"))
        return 0
    tolerance = extra.get("wikidata_tolerance")
    rows = check_all(graph, documents, float(tolerance) if isinstance(tolerance, float) else 10.0)
    out(as_json(rows) if extra.get("wikidata_json") else as_table(rows))
    return 0


def _w3id(settings: Settings, out: Callable[[str], None], extra: dict[str, object]) -> int:
    from .integrate.w3id import FOLDER, write

    folder = extra.get("w3id_out") or Path("w3id.org") / FOLDER
    target = extra.get("w3id_target")
    assert isinstance(folder, Path)
    assert isinstance(target, str)
    for path in write(folder, target):
        out(f"wrote {path}")
    return 0


EXTRA_OPTIONS = (
    "serve_data",
    "serve_graphs",
    "action",
    "wikidata_fixtures",
    "wikidata_live",
    "wikidata_json",
    "wikidata_tolerance",
    "w3id_target",
    "w3id_out",
)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    options = {
        key: value
        for key, value in vars(args).items()
        if key not in ("command", "handler", *EXTRA_OPTIONS)
    }
    extra = {key: getattr(args, key) for key in EXTRA_OPTIONS if hasattr(args, key)}

    def out(text: str) -> None:
        sys.stdout.write(text + "\n")

    try:
        settings = Settings.from_env(**options)
        code: int = args.handler(settings, out, extra)
    except SmartCityGraphError as exc:
        sys.stderr.write(f"smartcity-graph: error: {exc}\n")
        return exc.exit_code
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
