"""SHACL-SPARQL constraints evaluated once over the whole graph, with pyoxigraph.

pySHACL runs a SPARQL-based constraint once per focus node, and re-parses the query with
rdflib each time; at a million triples that is four fifths of the validation time (see
``bench/results/pipeline.md``). A constraint whose ``$this`` is *certainly bound* by the
query's own top-level pattern gives the same solutions whether ``$this`` is pre-bound to
each focus node in turn or left free and the solutions then kept for the focus nodes only
(SHACL 1.0 §5.3.1, pre-binding, is substitution; substituting a variable that a join binds
anyway only selects rows). So such a constraint is run once, by pyoxigraph, over the data
graph and the ontology (what pySHACL validates when given ``ont_graph``).

Everything else stays with pySHACL, unchanged: constraints on property shapes, on shapes
that another shape refers to (``sh:node``, ``sh:not``, ...), with SPARQL-based targets,
message templates, ``$currentShape``/``$shapesGraph``, sub-queries, ``MINUS``, ``VALUES``,
``SERVICE``, ``GRAPH``, or a ``$this`` that only an ``OPTIONAL`` binds. :func:`split` says
which is which; ``tests/test_shapes.py`` checks that the two paths report the same results
on every failing example.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from ..namespaces import OWL, RDF, RDFS, SH

#: Algebra nodes under which "$this is bound by a join" no longer means "pre-bound".
_DECLINED = frozenset(
    {
        "Minus",
        "ToMultiSet",
        "values",
        "ServiceGraphPattern",
        "Graph",
        "Project",
        "SelectQuery",
        "Group",
        "AggregateJoin",
        "Slice",
    }
)
_THIS = Variable("this")


@dataclass(frozen=True)
class Constraint:
    """One SPARQL constraint of a named node shape, ready to run once over everything."""

    shape: URIRef
    node: Node
    query: str
    """The ``sh:select`` text with its ``sh:prefixes`` declarations in front."""
    messages: tuple[Literal, ...]
    severity: URIRef
    targets: Targets


@dataclass(frozen=True)
class Result:
    constraint: Constraint
    focus: Node
    value: Node
    path: Node | None = None
    """``?path`` where the query binds it (SHACL 1.0 §5.3.2: the result's sh:resultPath)."""


def split(shapes: Graph) -> tuple[Graph, tuple[Constraint, ...]]:
    """The constraints this module runs, and a copy of *shapes* without them for pySHACL."""
    taken: list[Constraint] = []
    for shape, node in sorted(shapes.subject_objects(SH.sparql), key=lambda so: str(so)):
        constraint = _constraint(shapes, shape, node)
        if constraint is not None:
            taken.append(constraint)
    if not taken:
        return shapes, ()
    rest = Graph(namespace_manager=shapes.namespace_manager)
    dropped = {(c.shape, SH.sparql, c.node) for c in taken}
    for triple in shapes:
        if triple not in dropped:
            rest.add(triple)
    return rest, tuple(taken)


def _constraint(shapes: Graph, shape: Node, node: Node) -> Constraint | None:
    """*node* as a :class:`Constraint`, or ``None`` if pySHACL should keep it."""
    if not isinstance(shape, URIRef) or (shape, RDF.type, SH.NodeShape) not in shapes:
        return None
    if (shape, SH.path, None) in shapes or (None, SH.target, None) in shapes:
        return None
    if any(True for _ in shapes.subjects(None, shape)):
        return None  # another shape refers to it: it is also checked on nested value nodes
    targets = Targets.of(shapes, shape)
    if not targets:
        return None
    deactivated = [shapes.value(s, SH.deactivated) for s in (shape, node)]
    if any(isinstance(d, Literal) and d.toPython() is True for d in deactivated):
        return None  # pySHACL skips it; leaving it there keeps that behaviour
    select = shapes.value(node, SH.select)
    messages = tuple(m for m in shapes.objects(node, SH.message) if isinstance(m, Literal))
    if select is None or not messages or any("{" in str(m) for m in messages):
        return None
    prefixes = _prefixes(shapes, node)
    if prefixes is None:
        return None
    query = prefixes + str(select)
    if not _this_certainly_bound(query):
        return None
    severity = shapes.value(shape, SH.severity)
    return Constraint(
        shape,
        node,
        query,
        messages,
        severity if isinstance(severity, URIRef) else SH.Violation,
        targets,
    )


def _is_class(shapes: Graph, shape: Node) -> bool:
    return (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes


def _prefixes(shapes: Graph, node: Node) -> str | None:
    lines = []
    for owner in shapes.objects(node, SH.prefixes):
        for declaration in shapes.objects(owner, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is None or namespace is None:
                return None
            lines.append(f"PREFIX {prefix}: <{namespace}>\n")
    return "".join(sorted(set(lines)))


def _this_certainly_bound(query: str) -> bool:
    """True if *query* projects ``$this`` and its top-level pattern binds it in every solution."""
    try:
        parsed = prepareQuery(query)
    except Exception:  # pySHACL reports a query it cannot parse
        return False
    root = parsed.algebra
    if root.name != "SelectQuery" or _THIS not in (root.get("PV") or ()):
        return False
    top = root.p
    if top is None or top.name != "Project" or top.p is None:
        return False
    if any(n.name in _DECLINED for n in _walk(top.p)):
        return False
    names = {v for n in _walk(root) for v in _nested_variables(n)}
    if {Variable("currentShape"), Variable("shapesGraph")} & names:
        return False
    return _binds(top.p)


def _nested_variables(node: CompValue) -> Iterator[Variable]:
    for value in node.values():
        if isinstance(value, Variable):
            yield value
        elif isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, Variable):
                    yield item
                elif isinstance(item, list | tuple):
                    yield from (t for t in item if isinstance(t, Variable))


def _walk(node: object) -> Iterator[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item)


def _binds(node: CompValue) -> bool:
    """Whether every solution of *node* binds ``this`` (conservative: False when unsure)."""
    name = node.name
    if name == "BGP":
        return any(_THIS in triple for triple in node.triples)
    if name == "Filter":
        return _binds(node.p)
    if name == "Join":
        return _binds(node.p1) or _binds(node.p2)
    if name == "LeftJoin":
        return _binds(node.p1)
    if name == "Union":
        return _binds(node.p1) and _binds(node.p2)
    if name == "Extend":
        return node.var != _THIS and _binds(node.p)
    return False


def evaluate(constraints: Iterable[Constraint], graphs: Iterable[Graph]) -> list[Result]:
    """Run each constraint once over the union of *graphs*; keep its focus nodes' rows."""
    constraints = tuple(constraints)
    if not constraints:
        return []
    store = ox.Store()
    terms = _Terms()
    for graph in graphs:
        store.extend(
            ox.Quad(terms.subject(s), terms.predicate(p), terms.to_ox(o)) for s, p, o in graph
        )
    focus: dict[Targets, set[ox.NamedNode | ox.BlankNode | ox.Literal]] = {}
    results: list[Result] = []
    for constraint in constraints:
        if constraint.targets not in focus:
            focus[constraint.targets] = _focus_nodes(store, constraint.targets, terms)
        allowed = focus[constraint.targets]
        solutions = store.query(constraint.query)
        assert isinstance(solutions, ox.QuerySolutions)
        names = {v.value for v in solutions.variables}
        has_value, has_path = "value" in names, "path" in names
        for row in solutions:
            this = row["this"]
            if this is None or this not in allowed:
                continue
            value = row["value"] if has_value else None
            path = row["path"] if has_path else None
            results.append(
                Result(
                    constraint,
                    terms.to_rdflib(this),
                    terms.to_rdflib(value or this),
                    terms.to_rdflib(path) if path is not None else None,
                )
            )
    return results


@dataclass(frozen=True)
class Targets:
    """A shape's targets (SHACL 1.0 §2.1.3), without SPARQL-based ones."""

    classes: tuple[URIRef, ...]
    nodes: tuple[Node, ...]
    subjects_of: tuple[URIRef, ...]
    objects_of: tuple[URIRef, ...]

    @classmethod
    def of(cls, shapes: Graph, shape: URIRef) -> Targets:
        classes = {c for c in shapes.objects(shape, SH.targetClass) if isinstance(c, URIRef)}
        if _is_class(shapes, shape):
            classes.add(shape)

        def iris(predicate: URIRef) -> tuple[URIRef, ...]:
            found = (p for p in shapes.objects(shape, predicate) if isinstance(p, URIRef))
            return tuple(sorted(found))

        return cls(
            tuple(sorted(classes)),
            tuple(sorted(shapes.objects(shape, SH.targetNode), key=str)),
            iris(SH.targetSubjectsOf),
            iris(SH.targetObjectsOf),
        )

    def __bool__(self) -> bool:
        return bool(self.classes or self.nodes or self.subjects_of or self.objects_of)


def _focus_nodes(
    store: ox.Store, targets: Targets, terms: _Terms
) -> set[ox.NamedNode | ox.BlankNode | ox.Literal]:
    """The focus nodes of *targets*: SHACL instances through ``rdfs:subClassOf*``."""
    found: set[ox.NamedNode | ox.BlankNode | ox.Literal] = {terms.to_ox(n) for n in targets.nodes}
    patterns = [f"{{ ?x <{RDF.type}>/<{RDFS.subClassOf}>* <{c}> }}" for c in targets.classes]
    patterns += [f"{{ ?x <{p}> [] }}" for p in targets.subjects_of]
    patterns += [f"{{ [] <{p}> ?x }}" for p in targets.objects_of]
    if patterns:
        solutions = store.query("SELECT DISTINCT ?x WHERE { " + " UNION ".join(patterns) + " }")
        assert isinstance(solutions, ox.QuerySolutions)
        found.update(row[0] for row in solutions if row[0] is not None)
    return found


class _Terms:
    """rdflib <-> pyoxigraph terms, each converted once."""

    def __init__(self) -> None:
        self._to_ox: dict[Node, ox.NamedNode | ox.BlankNode | ox.Literal] = {}
        self._to_rdflib: dict[ox.NamedNode | ox.BlankNode | ox.Literal, Node] = {}

    def to_ox(self, term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        known = self._to_ox.get(term)
        if known is not None:
            return known
        converted: ox.NamedNode | ox.BlankNode | ox.Literal
        if isinstance(term, URIRef):
            converted = ox.NamedNode(str(term))
        elif isinstance(term, BNode):
            converted = ox.BlankNode(str(term))
        elif isinstance(term, Literal):
            if term.language:
                converted = ox.Literal(str(term), language=term.language)
            elif term.datatype is not None:
                converted = ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            else:
                converted = ox.Literal(str(term))
        else:
            raise TypeError(f"not an RDF term: {term!r}")
        self._to_ox[term] = converted
        self._to_rdflib[converted] = term
        return converted

    def subject(self, term: Node) -> ox.NamedNode | ox.BlankNode:
        converted = self.to_ox(term)
        if isinstance(converted, ox.Literal):
            raise TypeError(f"a literal as subject: {term!r}")
        return converted

    def predicate(self, term: Node) -> ox.NamedNode:
        converted = self.to_ox(term)
        if not isinstance(converted, ox.NamedNode):
            raise TypeError(f"not an IRI as predicate: {term!r}")
        return converted

    def to_rdflib(self, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
        known = self._to_rdflib.get(term)  # type: ignore[arg-type]
        if known is not None:
            return known
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language)
            return Literal(term.value, datatype=URIRef(term.datatype.value))
        raise TypeError(f"not an rdflib term: {term!r}")
