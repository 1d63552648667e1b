"""ONE table: format <-> media type <-> extension <-> serialiser, and content negotiation.

Every other module (serialisers, the release manifest, the web layer, the
README) reads this table; a test checks the README against it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    rdflib_name: str
    quads: bool
    aliases: tuple[str, ...] = ()
    """Other media types clients send for the same format."""
    label: str = ""


RDF_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", "ttl", "turtle", False, ("application/x-turtle",), "Turtle"),
    Format(
        "jsonld",
        "application/ld+json",
        "jsonld",
        "json-ld",
        False,
        ("application/json",),
        "JSON-LD",
    ),
    Format("ntriples", "application/n-triples", "nt", "nt", False, ("text/plain",), "N-Triples"),
    Format("rdfxml", "application/rdf+xml", "rdf", "xml", False, ("application/xml",), "RDF/XML"),
    Format("nquads", "application/n-quads", "nq", "nquads", True, ("text/x-nquads",), "N-Quads"),
    Format("trig", "application/trig", "trig", "trig", True, (), "TriG"),
)
HTML = Format("html", "text/html", "html", "", False, ("application/xhtml+xml",), "HTML")
JSON = Format("json", "application/json", "json", "", False, (), "JSON")
CSV = Format("csv", "text/csv", "csv", "", False, (), "CSV")

BY_NAME = {fmt.name: fmt for fmt in (*RDF_FORMATS, HTML)}
BY_EXTENSION = {fmt.extension: fmt for fmt in (*RDF_FORMATS, HTML)}


def by_name(name: str) -> Format:
    return BY_NAME[name]


def for_filename(name: str) -> str:
    """The media type of a release file, from its extension."""
    if name.endswith("csv-metadata.json"):
        return "application/csvm+json"  # the CSVW metadata media type
    extension = name.rsplit(".", 1)[-1]
    if extension in BY_EXTENSION:
        return BY_EXTENSION[extension].media_type
    return {"json": "application/json", "csv": "text/csv", "geojson": "application/geo+json"}.get(
        extension, "application/octet-stream"
    )


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...]

    def matches(self, media_type: str) -> bool:
        main, _, sub = media_type.partition("/")
        return (self.type in ("*", main)) and (self.subtype in ("*", sub))

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*") + bool(self.params)


def parse_accept(header: str | None) -> list[MediaRange]:
    """Media ranges of an ``Accept`` header; malformed entries are skipped, never fatal."""
    if not header:
        return [MediaRange("*", "*", 1.0, ())]
    ranges = []
    for part in header.split(","):
        pieces = [piece.strip() for piece in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            continue
        main, _, sub = media.partition("/")
        q = 1.0
        params = []
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            key, value = key.strip().lower(), value.strip().strip('"')
            if key == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
            elif key:
                params.append((key, value))
        ranges.append(MediaRange(main, sub, q, tuple(params)))
    return ranges


def quality(ranges: Sequence[MediaRange], media_types: Iterable[str]) -> float:
    """The q-value the most specific matching range gives any of *media_types*."""
    best: tuple[int, float] | None = None
    for media_type in media_types:
        for media_range in ranges:
            if media_range.matches(media_type):
                candidate = (media_range.specificity, media_range.q)
                if best is None or candidate > best:
                    best = candidate
    return 0.0 if best is None else best[1]


def negotiate(header: str | None, offers: Sequence[Format]) -> Format | None:
    """The offer the client prefers most (ties: order of *offers*); ``None`` means 406."""
    ranges = parse_accept(header)
    scored = [
        (quality(ranges, (fmt.media_type, *fmt.aliases)), -index, fmt)
        for index, fmt in enumerate(offers)
    ]
    q, _, fmt = max(scored, key=lambda item: (item[0], item[1]))
    return fmt if q > 0 else None
