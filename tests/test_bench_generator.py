"""The benchmark generator (``bench/generate.py``): shape-valid, deterministic, sized, queryable.

The generated graph is validated the way the pipeline validates the data graph before it
publishes: the data, ``shapes/*.ttl`` and ``ontology/*.ttl``, with the project's own
``validate`` function. ``bench/`` is not a package, so the module is loaded from its path.
"""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pyoxigraph
import pytest
from rdflib import Graph

try:  # the layout src/ is moving to (graph/validate.py), then the current one
    from smartcity_graph.graph.validate import Report, validate
except ImportError:
    from smartcity_graph.graph.validate import Report, validate

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "generate.py"
REAL_GRAPH = ROOT / "tests" / "golden" / "graph.nt"
SEED = 20201117
SCHEMA = "https://schema.org/"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


generator = _load_generator()


def generated(triples: int, seed: int = SEED) -> tuple[str, int]:
    """(the N-Triples text, the count the generator reports)."""
    buffer = io.StringIO()
    count = generator.generate(triples, seed, buffer)
    return buffer.getvalue(), count


def store_of(text: str) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(text, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def turtle_dir(directory: Path) -> Graph:
    graph = Graph()
    for path in sorted(directory.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def check(text: str) -> Report:
    data = Graph().parse(data=text, format="nt")
    return validate(data, turtle_dir(ROOT / "shapes"), turtle_dir(ROOT / "ontology"))


def rows(store: pyoxigraph.Store, query: str) -> int:
    """Solutions of a SELECT, triples of a CONSTRUCT, 1 or 0 for an ASK."""
    result = store.query(query)
    if isinstance(result, pyoxigraph.QueryBoolean):
        return int(bool(result))
    return sum(1 for _ in result)


@pytest.fixture(scope="module")
def graph_10k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "10k.nt"
    with path.open("w", encoding="utf-8", newline="\n") as out:
        generator.generate(10_000, SEED, out)
    return path


@pytest.fixture(scope="module")
def store_10k(graph_10k: Path) -> pyoxigraph.Store:
    return store_of(graph_10k.read_text(encoding="utf-8"))


# -- Size and determinism ----------------------------------------------------------------------


@pytest.mark.parametrize("triples", [10_000, 100_000])
def test_triple_count_is_within_two_percent_of_the_request(triples: int) -> None:
    text, count = generated(triples)
    assert abs(count - triples) <= 0.02 * triples, count
    # Every line is one distinct, valid triple: the store holds as many as were counted.
    assert text.count("\n") == count
    assert len(store_of(text)) == count


def test_same_seed_and_size_give_the_same_bytes(graph_10k: Path) -> None:
    first, _ = generated(10_000)
    second, _ = generated(10_000)
    assert first == second
    assert first.encode("utf-8") == graph_10k.read_bytes()
    assert generated(10_000, seed=SEED + 1)[0] != first


def test_command_line_writes_the_size_word_it_is_given(tmp_path: Path, graph_10k: Path) -> None:
    out = tmp_path / "10k.nt"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--scale", "10k", "--seed", str(SEED), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    count = len(out.read_bytes().splitlines())
    assert done.stdout.startswith(f"{count} triples"), done.stdout
    # Another process (another hash seed): still the same bytes.
    assert out.read_bytes() == graph_10k.read_bytes()


def test_command_line_refuses_an_unknown_size_word(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--scale", "7k", "--out", str(tmp_path / "x.nt")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert "10k, 100k, 1m, 5m" in done.stderr


def test_a_base_graph_without_the_concept_schemes_is_refused(tmp_path: Path) -> None:
    base = tmp_path / "base.nt"
    lines = REAL_GRAPH.read_text(encoding="utf-8").splitlines(keepends=True)
    base.write_text("".join(line for line in lines if "/id/roadmap/" not in line.split(" ")[0]))
    with pytest.raises(generator.GeneratorError, match="roadmap"):
        generator.generate(1_000, SEED, io.StringIO(), base)


# -- The benchmark queries ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(generator.QUERIES))
def test_each_benchmark_query_returns_rows_on_the_10k_graph(
    name: str, store_10k: pyoxigraph.Store
) -> None:
    assert rows(store_10k, generator.QUERIES[name]) > 0


@pytest.mark.parametrize("name", sorted(generator.QUERIES))
def test_each_benchmark_query_returns_rows_on_the_real_graph(name: str) -> None:
    store = store_of(REAL_GRAPH.read_text(encoding="utf-8"))
    assert rows(store, generator.queries(generator.RELEASE_RESOURCE)[name]) > 0


@pytest.mark.parametrize("triples", [100, 10_000, 100_000])
def test_the_benchmark_resource_is_a_city_at_every_size(triples: int) -> None:
    text, _ = generated(triples)
    ask = f"ASK {{ <{generator.RESOURCE}> a <{SCHEMA}City> }}"
    assert rows(store_of(text), ask) == 1


# -- Shapes ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_10k_graph_conforms_to_the_shapes(graph_10k: Path) -> None:
    report = check(graph_10k.read_text(encoding="utf-8"))
    assert report.conforms, report.describe()


def test_the_shapes_flag_a_generated_city_without_its_country() -> None:
    """The failing example: the conformance test above can fail."""
    text, _ = generated(2_000)
    city = f"<{generator.RESOURCE}>"
    dropped = [
        line for line in text.splitlines() if line.startswith(f"{city} <{SCHEMA}containedInPlace>")
    ]
    assert len(dropped) == 1
    country = dropped[0].split(" ")[2][1:-1]
    report = check(text.replace(dropped[0] + "\n", ""))
    assert not report.conforms
    assert any(
        v.focus == generator.RESOURCE and "containedInPlace" in v.path for v in report.errors
    ), report.describe()
    # Nothing else broke (the country may have lost its only city).
    assert {v.focus for v in report.errors} <= {generator.RESOURCE, country}, report.describe()
