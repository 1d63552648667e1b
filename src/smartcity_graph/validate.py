"""pySHACL -> a report value. Pure: never prints, never writes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from . import iris
from .build import new_graph
from .errors import Location
from .namespaces import RDF, SH


@dataclass(frozen=True)
class Violation:
    """One SHACL result, in words a curator can act on."""

    focus: str
    path: str
    value: str
    message: str
    severity: str
    shape: str
    constraint: str
    location: Location | None = None

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


def _shape(graph: Graph, shapes: Graph, shape: Node | None) -> str:
    """The named NodeShape a (possibly blank) property shape belongs to."""
    if isinstance(shape, BNode):
        owner = shapes.value(None, SH.property, shape) or shapes.value(None, SH.sparql, shape)
        if owner is not None:
            return _text(shapes, owner)
        return "[anonymous shape]"
    return _text(graph, shape)


def validate(
    data: Graph,
    shapes: Graph,
    ontology: Graph | None = None,
    *,
    report_iri: URIRef | None = None,
    locations: Mapping[str, Location] | None = None,
) -> Report:
    """Validate *data* against *shapes* (subclass reasoning from *ontology*)."""
    conforms, results, _ = shacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
    )
    assert isinstance(results, Graph)
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
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
                shape=_shape(results, shapes, results.value(result, SH.sourceShape)),
                constraint=_text(results, results.value(result, SH.sourceConstraintComponent)),
                location=(locations or {}).get(str(focus)),
            )
        )
    violations.sort(key=lambda v: (v.focus, v.path, v.constraint, v.message, v.value))
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
        graph.add((node, SH.focusNode, URIRef(violation.focus)))
        graph.add((node, SH.resultSeverity, SH[violation.severity]))
        graph.add((node, SH.resultMessage, Literal(violation.message)))
    return graph
