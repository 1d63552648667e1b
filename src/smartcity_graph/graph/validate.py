"""pySHACL -> a report value. Pure: never prints, never writes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal as Choice

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .. import iris
from ..errors import Location
from ..namespaces import RDF, SH
from . import sparql_constraints
from .build import new_graph


@dataclass(frozen=True)
class Violation:
    """One SHACL result, in words a curator can act on."""

    focus: str
    path: str
    value: str
    message: str
    severity: str
    shape: str
    """The IRI of the named NodeShape that reported it."""
    constraint: str
    location: Location | None = None
    focus_node: Node | None = None
    """The focus node as an RDF term (an IRI, or a literal when a shape targets values)."""

    def describe(self) -> str:
        where = f"{self.location}: " if self.location else ""
        value = f" (value {self.value})" if self.value else ""
        path = f" {self.path}" if self.path else ""
        return (
            f"{where}{self.severity} on <{self.focus}>{path}{value}: {self.message} "
            f"[shape {self.shape}, {self.constraint}]"
        )


@dataclass(frozen=True)
class Report:
    conforms: bool
    violations: tuple[Violation, ...]
    graph: Graph
    """The report as RDF, with stable IRIs instead of blank nodes."""

    @property
    def errors(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.severity == "Violation")

    def describe(self) -> str:
        if self.conforms and not self.violations:
            return "conforms: no violations"
        lines = [f"{len(self.errors)} violation(s), {len(self.violations)} result(s) in all:"]
        lines.extend("  " + violation.describe() for violation in self.violations)
        return "\n".join(lines)


def _text(graph: Graph, node: Node | None) -> str:
    """A term for humans: prefixed IRIs, ``^p`` for inverse paths, never blank-node labels."""
    if node is None:
        return ""
    if isinstance(node, BNode):
        inverse = graph.value(node, SH.inversePath)
        if inverse is not None:
            return "^" + _text(graph, inverse)
        return "[complex path]"
    if isinstance(node, URIRef):
        return node.n3(graph.namespace_manager)
    return str(node)


def _shape(data: Graph, shapes: Graph, shape: Node | None, focus: Node | None) -> str:
    """The named NodeShape that reported a result.

    A blank property shape belongs to the one NodeShape that declares it; a named,
    shared property shape (``scgsh:hasSource``) to the NodeShape that targets the
    focus node's class.
    """
    if shape is None:
        return ""
    if (shape, RDF.type, SH.NodeShape) in shapes:
        return str(shape)
    owners = set(shapes.subjects(SH.property, shape)) | set(shapes.subjects(SH.sparql, shape))
    if len(owners) > 1:
        types = set(data.objects(focus, RDF.type))
        owners = {o for o in owners if types & set(shapes.objects(o, SH.targetClass))} or owners
    named = sorted(str(o) for o in owners if isinstance(o, URIRef))
    if named:
        return " | ".join(named)
    return str(shape) if isinstance(shape, URIRef) else "[anonymous shape]"


def validate(
    data: Graph,
    shapes: Graph,
    ontology: Graph | None = None,
    *,
    report_iri: URIRef | None = None,
    locations: Mapping[str, Location] | None = None,
    sparql: Choice["once", "pyshacl"] = "once",
) -> Report:
    """Validate *data* against *shapes* (subclass reasoning from *ontology*).

    With ``sparql="once"`` (the default), the SPARQL constraints that
    :mod:`sparql_constraints` can run once over the whole graph are run that way and the
    rest by pySHACL; with ``"pyshacl"``, pySHACL runs them all. Both give the same report.
    """
    core, constraints = sparql_constraints.split(shapes) if sparql == "once" else (shapes, ())
    conforms, results, _ = shacl_validate(
        data,
        shacl_graph=core,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
    )
    assert isinstance(results, Graph)
    violations: list[Violation] = []
    # Only top-level results: nested ones (sh:detail) explain a result, they are not new ones.
    top = set(results.objects(None, SH.result))
    for result in sorted(top, key=str):
        focus = results.value(result, SH.focusNode)
        severity = results.value(result, SH.resultSeverity)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        violations.append(
            Violation(
                focus=str(focus),
                path=_text(results, results.value(result, SH.resultPath)),
                value=_text(results, results.value(result, SH.value)),
                message="; ".join(messages) or "constraint not met",
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                shape=_shape(data, shapes, results.value(result, SH.sourceShape), focus),
                constraint=_text(results, results.value(result, SH.sourceConstraintComponent)),
                location=(locations or {}).get(str(focus)),
                focus_node=focus,
            )
        )
    graphs = [data] if ontology is None else [data, ontology]
    for found in sparql_constraints.evaluate(constraints, graphs):
        constraint = found.constraint
        level = constraint.severity.rsplit("#", 1)[-1]
        conforms = conforms and level != "Violation"
        violations.append(
            Violation(
                focus=str(found.focus),
                path=_text(shapes, found.path),
                value=_text(shapes, found.value),
                message="; ".join(sorted(str(m) for m in constraint.messages)),
                severity=level,
                shape=_shape(data, shapes, constraint.shape, found.focus),
                constraint=_text(shapes, SH.SPARQLConstraintComponent),
                location=(locations or {}).get(str(found.focus)),
                focus_node=found.focus,
            )
        )
    # Two NodeShapes sharing a property shape report the same result twice: keep one.
    violations = sorted(
        set(violations), key=lambda v: (v.focus, v.path, v.constraint, v.message, v.value, v.shape)
    )
    return Report(
        bool(conforms), tuple(violations), _report_graph(bool(conforms), violations, report_iri)
    )


def _report_graph(conforms: bool, violations: list[Violation], iri: URIRef | None) -> Graph:
    """The validation report with stable IRIs (``#result-N``), so it publishes byte-identically."""
    graph = new_graph()
    report = iri or iris.mint("validation-report", "release")
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(conforms)))
    for number, violation in enumerate(violations, start=1):
        node = URIRef(f"{report}#result-{number}")
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, violation.focus_node or URIRef(violation.focus)))
        graph.add((node, SH.resultSeverity, SH[violation.severity]))
        graph.add((node, SH.resultMessage, Literal(violation.message)))
    return graph
