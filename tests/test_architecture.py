"""The package's parts and the rules between them.

``graph/`` (records -> RDF -> validation -> release files), ``query/`` (a protocol request ->
bytes on the wire), ``integrate/`` (Wikidata, reconciliation scoring) and ``web/`` (routes
only) sit over a shared base (``namespaces``, ``iris``, ``errors``, ``settings``,
``formats``). Data flows one way, the import contracts in ``pyproject.toml`` are enforced,
and the base IRI is spelled in one place.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = (
    "namespaces",
    "iris",
    "settings",
    "errors",
    "formats",
    "graph.model",
    "graph.sources",
    "graph.build",
    "graph.validate",
    "graph.sparql_constraints",
    "graph.serialize",
    "graph.describe",
    "graph.describe_dataset",
    "graph.exports",
    "graph.profiles",
    "graph.publish",
    "graph.pipeline",
    "integrate.wikidata",
    "integrate.reconcile",
    "cli",
)
PACKAGE = ROOT / "src" / "smartcity_graph"


def test_the_core_imports_and_builds_with_fastapi_unavailable(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "for name in ('fastapi', 'starlette', 'uvicorn'):\n"
        "    sys.modules[name] = None  # importing them now raises ImportError\n"
        + "".join(f"import smartcity_graph.{module}\n" for module in CORE)
        + "from smartcity_graph.cli import main\n"
        f"sys.exit(main(['build', '--out', {str(tmp_path / 'release')!r}]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_import_contract_holds() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command;"
            " sys.exit(lint_imports_command())",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_in_the_core_only_publish_writes_and_only_sources_reads_files() -> None:
    for path in (PACKAGE / f"{module.replace('.', '/')}.py" for module in CORE):
        text = path.read_text(encoding="utf-8")
        if path.name != "publish.py":
            for writer in (".write_bytes(", ".write_text(", '"wb"', "os.fsync("):
                assert writer not in text, f"{path.name} writes files ({writer})"
        if path.name != "sources.py":
            for reader in (".read_bytes(", ".read_text(", "import yaml"):
                assert reader not in text, f"{path.name} reads files ({reader})"
            # rdflib's Graph.parse reads files; iris.parse only splits an IRI.
            assert not re.search(r"\b(?!iris\b)\w+\.parse\(", text), f"{path.name} parses files"


def test_no_module_of_the_package_is_part_of_an_import_cycle() -> None:
    """For every direct import a -> b inside the package, b must not lead back to a."""
    import grimp

    graph = grimp.build_graph("smartcity_graph")
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if graph.chain_exists(importer=imported, imported=importer):
                cycles.append(f"{importer} -> {imported} -> ... -> {importer}")
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_cycle_check_finds_a_cycle(tmp_path: Path) -> None:
    """The check above can fail: a two-module package that imports itself round is caught."""
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("from . import a\n")
    script = (
        "import grimp\n"
        "g = grimp.build_graph('cyclic')\n"
        "print(g.chain_exists(importer='cyclic.a', imported='cyclic.b'),"
        " g.chain_exists(importer='cyclic.b', imported='cyclic.a'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["True", "True"]


def modules_outside(folder: Path, *allowed: str) -> list[Path]:
    return [
        path
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and path.suffix in (".py", ".html", ".js", ".json", ".css", ".txt")
        and "vendor" not in path.parts
        and path.relative_to(folder).as_posix() not in allowed
    ]


def base_iri_spellings(folder: Path, *allowed: str) -> list[str]:
    """Every line outside *allowed* that spells our base IRI (or its ``w3id.org`` host)."""
    found = []
    for path in modules_outside(folder, *allowed):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "w3id.org/smartcity-graph" in line:
                found.append(f"{path.relative_to(folder)}:{number}: {line.strip()}")
    return found


def test_our_base_iri_is_spelled_only_in_iris_and_namespaces() -> None:
    assert base_iri_spellings(PACKAGE, "iris.py", "namespaces.py") == []


def test_the_spelling_check_finds_a_stray_base_iri(tmp_path: Path) -> None:
    (tmp_path / "namespaces.py").write_text('BASE = "https://w3id.org/smartcity-graph/"\n')
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "page.js").write_text(
        'const q = "PREFIX scg: <https://w3id.org/smartcity-graph/def/>";\n'
    )
    assert base_iri_spellings(tmp_path, "iris.py", "namespaces.py") == [
        'web/page.js:1: const q = "PREFIX scg: <https://w3id.org/smartcity-graph/def/>";'
    ]


def test_nothing_named_render_validates() -> None:
    """Rendering writes bytes; checking them is a step of its own in the pipeline."""
    import ast

    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and "render" in node.name:
                calls = {
                    call.func.id
                    if isinstance(call.func, ast.Name)
                    else getattr(call.func, "attr", "")
                    for call in ast.walk(node)
                    if isinstance(call, ast.Call)
                }
                assert not calls & {"validate", "shacl_validate"}, f"{path.name}:{node.name}"
