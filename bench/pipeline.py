"""The build path at scale: parse, SHACL validation and the whole publish step, timed.

    python bench/pipeline.py [--scales 10k,100k,1m] [--baseline-scales 10k]
                             [--out bench/results/pipeline.md]

For each scale, a fresh process parses the generated graph (``bench/generate.py``, seed 1)
with rdflib and validates it twice with the project's own ``validate`` (the shapes and the
ontology as the build uses them): as the build does, with the SPARQL constraints run once
over the whole graph, and, at the ``--baseline-scales``, with pySHACL alone, the baseline
(it runs each SPARQL constraint once per focus node: hours at 1M). The two reports must be
equal.
It then writes it with the release's N-Triples and Turtle writers, and runs the whole
publish step as the build does (``pipeline.render``: every download format, JSON-LD, the
exports, the quad files and the dataset description; ``check_description``, its
validation; then ``publish.publish`` with the manifest, to a temporary folder), with the
project's real dataset record. Each step's wall time and the process's peak RSS after it
are printed as a Markdown table, with the time per triple at each scale relative to the
smallest, so a step that grows faster than linearly shows. Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(tempfile.gettempdir()) / "smartcity-graph-bench"
STEPS = ("parse", "validate", "validate (pySHACL alone)", "n-triples", "turtle", "publish")


def measure(data: Path, baseline: bool) -> dict[str, float]:
    """In this process: each step's seconds and the peak RSS (MB) after it."""
    from rdflib import Graph

    from smartcity_graph.graph.pipeline import check_description, read_inputs, render
    from smartcity_graph.graph.publish import publish
    from smartcity_graph.graph.serialize import to_ntriples, to_turtle
    from smartcity_graph.graph.validate import validate
    from smartcity_graph.settings import Settings

    def turtle_dir(folder: Path) -> Graph:
        graph = Graph()
        for path in sorted(folder.glob("*.ttl")):
            graph.parse(path, format="turtle")
        return graph

    shapes, ontology = turtle_dir(ROOT / "shapes"), turtle_dir(ROOT / "ontology")
    out: dict[str, float] = {}

    def step(name: str, started: float) -> None:
        out[name] = time.perf_counter() - started
        out[name + " MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    started = time.perf_counter()
    graph = Graph()
    graph.parse(data, format="nt")
    step("parse", started)
    out["triples"] = len(graph)
    started = time.perf_counter()
    report = validate(graph, shapes, ontology)
    step("validate", started)
    out["conforms"] = float(report.conforms)
    if baseline:
        started = time.perf_counter()
        alone = validate(graph, shapes, ontology, sparql="pyshacl")
        step("validate (pySHACL alone)", started)
        if alone.violations != report.violations or alone.conforms != report.conforms:
            raise SystemExit("the two validation paths disagree: " + report.describe())
    started = time.perf_counter()
    to_ntriples(graph)
    step("n-triples", started)
    started = time.perf_counter()
    to_turtle(graph)
    step("turtle", started)
    inputs = read_inputs(
        Settings(data_dir=ROOT / "data", ontology_dir=ROOT / "ontology", shapes_dir=ROOT / "shapes")
    )
    started = time.perf_counter()
    rendered = render(inputs, graph, report)
    check_description(inputs, rendered)
    files = rendered.files
    with tempfile.TemporaryDirectory() as folder:
        publish(files, Path(folder) / "release", {"name": "bench"})
    step("publish", started)
    out["release MB"] = sum(len(content) for content in files.values()) / 1e6
    return out


def data_file(scale: str) -> Path:
    target = DATA / f"pipeline-{scale}-seed1.nt"
    if not target.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "generate.py"),
                "--scale",
                scale,
                "--seed",
                "1",
                "--out",
                str(target),
            ],
            check=True,
        )
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="10k,100k,1m")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "pipeline.md")
    parser.add_argument(
        "--baseline-scales",
        default="10k",
        help="scales at which pySHACL alone is timed too (comma-separated)",
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.baseline)))
        return 0
    baseline_scales = set(args.baseline_scales.split(",")) if args.baseline_scales else set()
    scales = args.scales.split(",")
    results = {}
    for scale in scales:
        done = subprocess.run(
            [sys.executable, __file__, "--measure", str(data_file(scale))]
            + (["--baseline"] if scale in baseline_scales else []),
            check=True,
            capture_output=True,
            text=True,
        )
        results[scale] = json.loads(done.stdout.strip().splitlines()[-1])
        print(scale, results[scale], flush=True)
    base = results[scales[0]]
    lines = [
        "# The build path at scale",
        "",
        f"- **Command:** `python bench/pipeline.py --scales {args.scales} "
        f"--baseline-scales {args.baseline_scales}`",
        f"- **Machine:** {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}; data from `bench/generate.py --seed 1`",
        "",
        "Seconds per step (peak RSS of the process after it, MB); in brackets, the time per "
        f"triple relative to {scales[0]} (1.0 = linear).",
        "",
        "| scale | triples | conforms | release | " + " | ".join(STEPS) + " |",
        "|---|---|---|---|" + "---|" * len(STEPS),
    ]
    for scale in scales:
        row = results[scale]
        cells = []
        for name in STEPS:
            if name not in row or name not in base:
                cells.append("not run")
                continue
            per = (row[name] / row["triples"]) / (base[name] / base["triples"])
            cells.append(f"{row[name]:.2f} s ({row[name + ' MB']:.0f} MB) [{per:.2f}]")
        lines.append(
            f"| {scale} | {int(row['triples']):,} | {bool(row['conforms'])} | "
            f"{row['release MB']:.0f} MB | " + " | ".join(cells) + " |"
        )
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
