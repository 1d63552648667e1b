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
    2: "usage or configuration error, or the release could not be written",
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
    return root


def _build(settings: Settings, out: Callable[[str], None]) -> int:
    from .pipeline import build

    release = build(settings)
    out(f"release written to {release.path}")
    out(f"{len(release.graph)} triples; {len(release.files) + 1} files (see manifest.json)")
    return 0


def _validate(settings: Settings, out: Callable[[str], None]) -> int:
    from .pipeline import validate_only

    report = validate_only(settings)
    out(report.describe())
    return 0 if report.conforms else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    options = {key: value for key, value in vars(args).items() if key not in ("command", "handler")}

    def out(text: str) -> None:
        sys.stdout.write(text + "\n")

    try:
        settings = Settings.from_env(**options)
        code: int = args.handler(settings, out)
    except SmartCityGraphError as exc:
        sys.stderr.write(f"smartcity-graph: error: {exc}\n")
        return exc.exit_code
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
