"""What goes into an engine and what comes out: plain, frozen values with no behaviour.

Kept apart from :mod:`.engine` so that the engines can import them while ``engine`` imports
the engines (no import cycle).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from typing import Literal as TypingLiteral

QueryForm = TypingLiteral["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]
FORMS: tuple[QueryForm, ...] = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class QueryRequest:
    """A query the protocol layer has checked (no updates, no ``SERVICE``)."""

    query: str
    form: QueryForm
    result_format: str
    """A format name: json/xml/csv/tsv for SELECT and ASK, an RDF format name otherwise."""
    default_graphs: tuple[str, ...] | None = None
    """Protocol ``default-graph-uri`` values (override FROM); ``None`` = not given."""
    named_graphs: tuple[str, ...] | None = None
    max_rows: int = 10_000
    base_iri: str | None = None
    """Resolves relative IRIs in the query (the protocol lets the service choose; we use the
    endpoint's own URL)."""
    bounded: str | None = None
    """The query as the engine runs it, with a top-level LIMIT of ``max_rows + 1`` where one
    could be set (see :func:`.protocol.bound_query`); None = the engine bounds it."""
    may_exceed: bool = True
    """False when the query's own LIMIT keeps it within ``max_rows``: nothing to count."""

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _FIELDS}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QueryRequest:
        for key in ("default_graphs", "named_graphs"):
            if data.get(key) is not None:
                data[key] = tuple(data[key])
        return cls(**data)


_FIELDS = tuple(QueryRequest.__dataclass_fields__)


@dataclass(frozen=True)
class QueryResult:
    """The answer in the negotiated format, with the row cap applied."""

    body: bytes
    media_type: str
    truncated: bool
    """True when the result had more than ``max_rows`` rows (or triples) and was cut."""
