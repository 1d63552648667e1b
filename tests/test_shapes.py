"""SHACL shapes: the world conforms; each defect patch breaks exactly the shape it names.

``shape_cases/world.ttl`` is a small graph that conforms to every shape. Each
``shape_cases/<Shape>.<defect>.ru`` is a SPARQL Update that changes the world
in one way; applied, the named shape (and only it) must report a violation.
Every shape with a target has at least one such failing example.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from smartcity_graph import iris
from smartcity_graph.namespaces import ID, PREFIXES, RDF, SCGSH, SH
from smartcity_graph.sources import read_turtle_dir
from smartcity_graph.validate import Report, validate

CASES = Path(__file__).parent / "shape_cases"
ROOT = Path(__file__).parent.parent
PATCHES = sorted(CASES.glob("*.ru"))
#: The project's prefixes plus one per IRI kind, so a patch can write ``city:milan``.
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + "".join(
    f"PREFIX {kind}: <{ID}{kind}/>\n" for kind in iris.KINDS
)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return read_turtle_dir(ROOT / "shapes", "shapes")[0]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return read_turtle_dir(ROOT / "ontology", "ontology")[0]


def world() -> Graph:
    return Graph().parse(CASES / "world.ttl")


def check(graph: Graph, shapes: Graph, ontology: Graph) -> Report:
    return validate(graph, shapes, ontology)


def test_the_world_conforms_to_every_shape(shapes: Graph, ontology: Graph) -> None:
    report = check(world(), shapes, ontology)
    assert report.conforms, report.describe()


@pytest.mark.parametrize("patch", PATCHES, ids=[p.stem for p in PATCHES])
def test_each_defect_breaks_exactly_the_shape_it_names(
    patch: Path, shapes: Graph, ontology: Graph
) -> None:
    shape = patch.name.split(".", 1)[0]
    graph = world()
    before = len(graph)
    graph.update(SPARQL_PREFIXES + patch.read_text(encoding="utf-8"))
    assert len(graph) != before or "DELETE" in patch.read_text(), "the patch changed nothing"
    report = check(graph, shapes, ontology)
    assert not report.conforms, f"{patch.name} should break {shape}"
    expected = str(SCGSH[shape])
    for violation in report.errors:
        # A city is also a schema:Place, so a shared rule may name both shapes.
        assert expected in violation.shape.split(" | "), report.describe()


def test_every_targeted_shape_has_a_failing_example(shapes: Graph) -> None:
    targeted = set()
    for target in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
        targeted |= {s for s in shapes.subjects(target, None) if isinstance(s, URIRef)}
    covered = {SCGSH[p.name.split(".", 1)[0]] for p in PATCHES}
    assert targeted - covered == set()
    assert covered - targeted == set(), "a patch names a shape that does not exist"


def test_every_node_shape_is_documented_or_targeted(shapes: Graph) -> None:
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        assert isinstance(shape, URIRef), "node shapes are named, so reports can cite them"
