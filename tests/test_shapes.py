"""SHACL shapes: the world conforms; each defect patch breaks exactly the shape it names.

``shape_cases/world.ttl`` is a small graph that conforms to every shape. Each
``shape_cases/<Shape>.<defect>.ru`` is a SPARQL Update that changes the world
in one way; applied, the named shape (and only it) must report a violation.
Every shape with a target has at least one such failing example.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from smartcity_graph import iris
from smartcity_graph.graph import build, sparql_constraints
from smartcity_graph.graph.serialize import serialize
from smartcity_graph.graph.sources import read_turtle_dir
from smartcity_graph.graph.validate import Report, validate
from smartcity_graph.namespaces import (
    ID,
    PREFIXES,
    PROV,
    RDF,
    SCGSH,
    SH,
)

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


#: Patches about the statements themselves: applied as written.
ABOUT_STATEMENTS = ("StatementShape", "SourcedFactShape")


def keep_statements_in_step(graph: Graph) -> None:
    """What the builder does for every fact it writes: after a patch changed facts, drop the
    statements of facts that are gone and add one for each new fact (citing the resource's
    first source), so that a patch breaks only the rule it is about."""
    for statement in list(graph.subjects(RDF.type, RDF.Statement)):
        triple = (
            graph.value(statement, RDF.subject),
            graph.value(statement, RDF.predicate),
            graph.value(statement, RDF.object),
        )
        if None not in triple and triple not in graph:
            graph.remove((statement, None, None))
    for subject in set(graph.subjects(PROV.wasDerivedFrom)):
        if (subject, RDF.type, RDF.Statement) in graph or not isinstance(subject, URIRef):
            continue
        source = min(graph.objects(subject, PROV.wasDerivedFrom), key=str)
        for predicate in build.SOURCED:
            for value in graph.objects(subject, predicate):
                if (None, RDF.object, value) in graph and any(
                    (s, RDF.subject, subject) in graph and (s, RDF.predicate, predicate) in graph
                    for s in graph.subjects(RDF.object, value)
                ):
                    continue
                statement = iris.statement(subject, predicate, value)
                for p, o in (
                    (RDF.type, RDF.Statement),
                    (RDF.subject, subject),
                    (RDF.predicate, predicate),
                    (RDF.object, value),
                    (PROV.wasDerivedFrom, source),
                ):
                    graph.add((statement, p, o))


def patched(patch: Path) -> Graph:
    graph = world()
    graph.update(SPARQL_PREFIXES + patch.read_text(encoding="utf-8"))
    if not patch.name.startswith(ABOUT_STATEMENTS):
        keep_statements_in_step(graph)
    return graph


def test_the_world_conforms_to_every_shape(shapes: Graph, ontology: Graph) -> None:
    report = check(world(), shapes, ontology)
    assert report.conforms, report.describe()


@pytest.mark.parametrize("patch", PATCHES, ids=[p.stem for p in PATCHES])
def test_each_defect_breaks_exactly_the_shape_it_names(
    patch: Path, shapes: Graph, ontology: Graph
) -> None:
    shape = patch.name.split(".", 1)[0]
    graph = patched(patch)
    assert not graph.isomorphic(world()), "the patch changed nothing"
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


# -- SPARQL constraints run once over the whole graph ----------------------------------------
#
# ``validate`` runs the SPARQL constraints whose ``$this`` the query's own pattern binds once
# over everything (pyoxigraph) instead of once per focus node (pySHACL). The report must be
# the very one pySHACL gives.


@pytest.mark.parametrize("patch", [None, *PATCHES], ids=["world", *(p.stem for p in PATCHES)])
def test_running_sparql_constraints_once_gives_pyshacls_report(
    patch: Path | None, shapes: Graph, ontology: Graph
) -> None:
    graph = world() if patch is None else patched(patch)
    once = validate(graph, shapes, ontology)
    pyshacl = validate(graph, shapes, ontology, sparql="pyshacl")
    assert once.conforms == pyshacl.conforms
    assert once.violations == pyshacl.violations
    assert serialize(once.graph, "ntriples") == serialize(pyshacl.graph, "ntriples")


def test_every_sparql_constraint_of_ours_runs_once(shapes: Graph) -> None:
    rest, taken = sparql_constraints.split(shapes)
    assert len(taken) == len(set(shapes.objects(None, SH.sparql))) == 6
    assert not set(rest.objects(None, SH.sparql)), "pySHACL would run them again"


TOY_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:sparql [ sh:message "no ex:bad" ; sh:prefixes ex:prefixes ; sh:select "%s" ] .
"""
TOY_DATA = """
@prefix ex: <http://example.org/> .
ex:a a ex:Thing ; ex:bad 1 .
ex:b a ex:SubThing ; ex:bad 2 .
ex:c ex:bad 3 .
ex:SubThing <http://www.w3.org/2000/01/rdf-schema#subClassOf> ex:Thing .
"""


def toy(select: str, extra: str = "") -> Graph:
    return Graph().parse(data=TOY_SHAPES % select + extra, format="turtle")


@pytest.mark.parametrize(
    "select",
    [
        "SELECT $this ?value WHERE { $this ex:bad ?value }",
        "SELECT $this WHERE { $this ex:bad ?v . FILTER (?v > 1) }",
        "SELECT $this WHERE { { $this ex:bad 1 } UNION { $this ex:bad 2 } }",
        "SELECT $this WHERE { $this ex:bad ?v OPTIONAL { $this ex:good ?g } FILTER (!BOUND(?g)) }",
    ],
)
def test_a_constraint_whose_pattern_binds_this_runs_once(select: str) -> None:
    shapes = toy(select)
    rest, taken = sparql_constraints.split(shapes)
    assert len(taken) == 1
    assert not set(rest.objects(None, SH.sparql))
    data = Graph().parse(data=TOY_DATA, format="turtle")
    once, pyshacl = validate(data, shapes), validate(data, shapes, sparql="pyshacl")
    assert once.violations == pyshacl.violations
    # ex:c is no ex:Thing: its row is dropped; ex:b is one through rdfs:subClassOf.
    assert {v.focus for v in once.violations} <= {"http://example.org/a", "http://example.org/b"}
    assert once.violations
    assert not once.conforms


@pytest.mark.parametrize(
    ("select", "extra"),
    [
        ("SELECT $this WHERE { OPTIONAL { $this ex:bad ?v } FILTER (!BOUND(?v)) }", ""),
        ("SELECT $this WHERE { { $this ex:bad 1 } UNION { ?x ex:bad 2 } }", ""),
        ("SELECT $this WHERE { ?x ex:bad ?v . MINUS { $this ex:bad ?v } }", ""),
        ("SELECT $this WHERE { { SELECT $this WHERE { $this ex:bad ?v } } }", ""),
        ("SELECT $this WHERE { $this ex:bad ?v } LIMIT 1", ""),
        ("SELECT $this WHERE { $this ex:bad ?v . FILTER (?v != $currentShape) }", ""),
        ("SELECT ?v WHERE { $this ex:bad ?v }", ""),
        ("SELECT $this WHERE { $this ex:bad ?v }", "ex:Other sh:node ex:Shape ."),
        ("SELECT $this WHERE { $this ex:bad ?v }", "ex:Shape sh:deactivated true ."),
    ],
)
def test_any_other_constraint_stays_with_pyshacl(select: str, extra: str) -> None:
    shapes = toy(select, extra)
    rest, taken = sparql_constraints.split(shapes)
    assert taken == ()
    assert rest is shapes
    if "MINUS" in select or "{ SELECT" in select:
        return  # SHACL forbids $this there; pySHACL refuses the shape, as it did before
    data = Graph().parse(data=TOY_DATA, format="turtle")
    assert validate(data, shapes).violations == validate(data, shapes, sparql="pyshacl").violations


def test_a_message_template_stays_with_pyshacl() -> None:
    shapes = Graph().parse(
        data=(TOY_SHAPES % "SELECT $this WHERE { $this ex:bad ?v }").replace(
            '"no ex:bad"', '"no ex:bad on {$this}"'
        ),
        format="turtle",
    )
    assert sparql_constraints.split(shapes)[1] == ()


def test_the_provenance_shape_checks_the_facts_the_builder_sources(shapes: Graph) -> None:
    """``scgsh:SourcedFactShape`` lists exactly the predicates ``build.SOURCED`` names."""
    select = str(shapes.value(shapes.value(SCGSH.SourcedFactShape, SH.sparql), SH.select))
    listed = re.search(r"\?path IN \((.*?)\)\)", select, re.DOTALL)
    assert listed is not None
    curies = {c.strip() for c in listed.group(1).split(",")}
    prefixes = {namespace: prefix for prefix, namespace in PREFIXES.items()}
    expected = {
        next(f"{prefixes[ns]}:{str(p)[len(ns) :]}" for ns in prefixes if str(p).startswith(ns))
        for p in build.SOURCED
    } - {"rdfs:label"}
    assert curies == expected
