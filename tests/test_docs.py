"""The README's tables are the code's tables: settings, exit codes, formats, commands."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from smartcity_graph.cli import EXIT_CODES, parser
from smartcity_graph.formats import RDF_FORMATS
from smartcity_graph.settings import FIELDS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def table_after(heading: str) -> list[list[str]]:
    """The rows of the first Markdown table after *heading* (header and rule dropped)."""
    section = README.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    return rows[2:]


def test_the_settings_table_matches_the_settings_object() -> None:
    rows = {row[0].strip("`"): row for row in table_after("## Settings")}
    assert set(rows) == {field.name for field in FIELDS}
    for field in FIELDS:
        _, default, meaning = rows[field.name]
        shown = str(field.default) if field.default not in ("", None) else "(empty)"
        assert default.strip("`") == shown, field.name
        assert meaning == field.metadata["help"], field.name


def test_every_setting_has_help_text() -> None:
    for field in FIELDS:
        assert field.metadata.get("help"), field.name
        assert field.default is not dataclasses.MISSING, field.name


def test_the_exit_code_table_matches_the_cli() -> None:
    rows = {int(row[0]): row[1] for row in table_after("Exit codes:")}
    assert rows == EXIT_CODES


def test_the_formats_table_matches_the_format_table() -> None:
    rows = {row[0]: (row[1].strip("`"), row[2].strip("`")) for row in table_after("### Formats")}
    assert rows == {f.label: (f.media_type, "." + f.extension) for f in RDF_FORMATS}


@pytest.mark.parametrize("command", ["build", "validate", "serve", "wikidata", "w3id"])
def test_every_command_is_documented(command: str) -> None:
    assert re.search(rf"^smartcity-graph {command}\b", README, re.MULTILINE)
    commands = parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert command in commands


def test_the_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    assert "make run" in README
    assert "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text()


QUERIES = re.findall(r"```sparql\n(.*?)```", README, re.DOTALL)


def test_the_readme_has_example_queries() -> None:
    assert len(QUERIES) >= 4


@pytest.mark.parametrize("query", QUERIES, ids=[f"query-{i}" for i in range(len(QUERIES))])
def test_every_example_query_runs_on_the_release_and_returns_rows(
    query: str, release_dir: Path
) -> None:
    import pyoxigraph

    store = pyoxigraph.Store()
    with (release_dir / "graph.nt").open("rb") as handle:
        store.load(handle, format=pyoxigraph.RdfFormat.N_TRIPLES)
    rows = list(store.query(query))
    assert rows, query


def test_the_query_ui_offers_exactly_the_readme_queries() -> None:
    from smartcity_graph.web.examples import EXAMPLES as examples

    assert [example["query"] for example in examples] == QUERIES
    assert all(example["name"] for example in examples)


def test_the_routes_table_matches_the_app(release_dir: Path) -> None:
    from smartcity_graph.query.dataset import from_release
    from smartcity_graph.settings import Settings
    from smartcity_graph.web import create_app

    app = create_app(Settings(), from_release(release_dir))
    internal = {"/static", "/favicon.ico", "/sparql/", "/def.{ext}"}
    flat = []
    for route in app.routes:
        # A router added with include_router appears as one entry holding the original.
        included = getattr(route, "original_router", None)
        flat.extend(included.routes if included is not None else [route])
    routes = {
        getattr(route, "path", "")
        .replace("/id/{kind}/{name}", "/id/{kind}/{slug}")
        .replace("/def/{name}", "/def/{Term}")
        for route in flat
    } - internal
    documented = {
        path.strip().strip("`") for row in table_after("## Serving") for path in row[0].split(",")
    }
    assert documented == routes


def test_the_readme_names_every_minted_term() -> None:
    from rdflib import Graph

    from smartcity_graph.namespaces import SCG

    ontology = Graph().parse(ROOT / "ontology" / "smartcity-graph.ttl")
    minted = {str(s)[len(str(SCG)) :] for s in ontology.subjects() if str(s).startswith(str(SCG))}
    section = README.split("mints only these terms:", 1)[1].split("\n## ", 1)[0]
    assert minted == set(re.findall(r"`scg:(\w+)`", section))


def test_the_security_policy_states_every_limit_at_its_default() -> None:
    """SECURITY.md's limits table names settings by their names; each must exist and its
    stated default must be the setting's default (read as a number without separators)."""
    from smartcity_graph.settings import Settings

    policy = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    section = policy.split("**Bounded work.**", 1)[1]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("|")
    ][2:]
    defaults = Settings()
    named = [row for row in rows if row[0].startswith("`")]
    assert len(named) >= 10
    for name_cell, default_cell, _ in named:
        name = name_cell.strip("`")
        value = getattr(defaults, name)
        stated = re.match(r"[\d,.]+", default_cell)
        assert stated, default_cell
        number = float(stated.group().replace(",", ""))
        units = {"GiB": 2**30, "MiB": 2**20}
        for unit, factor in units.items():
            if unit in default_cell:
                number *= factor
        assert number == float(value), f"{name}: SECURITY.md says {default_cell}, default {value}"
