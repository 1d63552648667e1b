"""Data flows one way: the core never imports the web layer, and the contract is enforced."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = (
    "namespaces",
    "iris",
    "settings",
    "errors",
    "model",
    "sources",
    "build",
    "validate",
    "formats",
    "serialize",
    "describe_dataset",
    "publish",
    "pipeline",
    "cli",
)


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
    package = ROOT / "src" / "smartcity_graph"
    for path in (package / f"{module}.py" for module in CORE):
        text = path.read_text(encoding="utf-8")
        if path.name != "publish.py":
            for writer in (".write_bytes(", ".write_text(", '"wb"', "os.fsync("):
                assert writer not in text, f"{path.name} writes files ({writer})"
        if path.name != "sources.py":
            for reader in (".read_bytes(", ".read_text(", "import yaml", ".parse("):
                assert reader not in text, f"{path.name} reads files ({reader})"


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
