"""Content negotiation reads Accept headers the way HTTP says: q-values, wildcards, specificity."""

from __future__ import annotations

import pytest

from smartcity_graph.formats import BY_NAME, HTML, RDF_FORMATS, for_filename, negotiate

OFFERS = (*RDF_FORMATS, HTML)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "turtle"),
        ("", "turtle"),
        ("*/*", "turtle"),
        ("text/turtle", "turtle"),
        ("application/ld+json", "jsonld"),
        ("application/n-triples", "ntriples"),
        ("application/rdf+xml", "rdfxml"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
        ("application/ld+json;q=0.5, text/turtle;q=0.9", "turtle"),
        ("text/turtle;q=0.1, application/ld+json", "jsonld"),
        ("text/*", "turtle"),
        ("application/x-turtle", "turtle"),
        ("TEXT/TURTLE", "turtle"),
        ("text/turtle;q=0, */*;q=0.1", "jsonld"),
        ('application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"', "jsonld"),
    ],
)
def test_the_preferred_acceptable_format_wins(accept: str | None, expected: str) -> None:
    chosen = negotiate(accept, OFFERS)
    assert chosen is not None
    assert chosen.name == expected


@pytest.mark.parametrize("accept", ["image/png", "text/turtle;q=0", "application/pdf, image/*"])
def test_nothing_acceptable_means_406(accept: str) -> None:
    assert negotiate(accept, OFFERS) is None


@pytest.mark.parametrize("accept", ["garbage", ";;;", "text/turtle;q=abc", "a/b/c;q=2"])
def test_malformed_accept_headers_never_crash(accept: str) -> None:
    negotiate(accept, OFFERS)


def test_every_format_has_a_unique_extension_and_media_type() -> None:
    assert len({f.extension for f in OFFERS}) == len(OFFERS)
    assert len({f.media_type for f in OFFERS}) == len(OFFERS)
    for fmt in OFFERS:
        assert BY_NAME[fmt.name] is fmt
        assert for_filename(f"graph.{fmt.extension}") == fmt.media_type
