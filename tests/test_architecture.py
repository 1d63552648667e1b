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
