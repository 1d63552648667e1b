"""IRIs: one minter, readable slugs, and a lossless IRI <-> URL path mapping."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcity_graph import iris
from smartcity_graph.errors import IRIError

slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)


def test_a_city_iri_is_readable_and_under_the_permanent_base() -> None:
    assert str(iris.mint("city", "milan")) == "https://w3id.org/smartcity-graph/id/city/milan"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Bogotá", "bogota"),
        ("Mexico City", "mexico-city"),
        ("eThekweni (Durban)", "ethekweni-durban"),
        ("San José", "san-jose"),
        ("K.T. Rama Rao", "k-t-rama-rao"),
        ("Ekrem İmamoğlu", "ekrem-imamoglu"),
        ("Łódź", "lodz"),
        ("Straße", "strasse"),
        ("Ærøskøbing", "aeroskobing"),
        ("東京", "dongjing"),
        ("Москва", "moskva"),
        ("Béal Feirste", "beal-feirste"),
        ("浜松市", "bangsongshi"),
    ],
)
def test_slugify_transliterates_any_script_and_hyphenates(name: str, slug: str) -> None:
    assert iris.slugify(name) == slug


@pytest.mark.parametrize("bad", ["Milan", "milan ", "-milan", "milan--city", "mílan", "", "a/b"])
def test_minting_refuses_a_non_slug(bad: str) -> None:
    with pytest.raises(IRIError):
        iris.mint("city", bad)


def test_minting_refuses_an_unknown_kind() -> None:
    with pytest.raises(IRIError, match="unknown kind"):
        iris.mint("town", "milan")


def test_slugify_refuses_text_without_letters_or_digits() -> None:
    with pytest.raises(IRIError):
        iris.slugify("—")


@given(kind=st.sampled_from(iris.KINDS), slug=slugs)
def test_mint_then_parse_round_trips(kind: str, slug: str) -> None:
    assert iris.parse(iris.mint(kind, slug)) == (kind, slug)


@given(kind=st.sampled_from(iris.KINDS), slug=slugs)
def test_iri_to_path_and_back_round_trips(kind: str, slug: str) -> None:
    iri = iris.mint(kind, slug)
    assert iris.to_path(iri) == f"/id/{kind}/{slug}"
    assert iris.from_path(iris.to_path(iri)) == iri


@given(kind=st.sampled_from(iris.KINDS), slug=slugs)
def test_local_base_mapping_round_trips(kind: str, slug: str) -> None:
    iri = str(iris.mint(kind, slug))
    local = iris.to_local(iri, "http://127.0.0.1:8000/")
    assert local == f"http://127.0.0.1:8000/id/{kind}/{slug}"
    assert iris.from_local(local, "http://127.0.0.1:8000/") == iri


def test_foreign_iris_are_not_mapped_or_parsed() -> None:
    wikidata = "http://www.wikidata.org/entity/Q490"
    assert iris.to_local(wikidata, "http://127.0.0.1:8000/") == wikidata
    assert iris.parse(wikidata) is None
    assert iris.parse("https://w3id.org/smartcity-graph/id/town/milan") is None
    with pytest.raises(IRIError):
        iris.to_path(wikidata)


@pytest.mark.parametrize("qid", ["Q490", "Q1", "Q123456789"])
def test_wikidata_item_ids_become_entity_iris(qid: str) -> None:
    assert str(iris.wikidata(qid)) == f"http://www.wikidata.org/entity/{qid}"


@pytest.mark.parametrize("bad", ["q490", "Q0490", "P17", "Q", "490", "Q490 "])
def test_wikidata_refuses_what_is_not_an_item_id(bad: str) -> None:
    with pytest.raises(IRIError):
        iris.wikidata(bad)


def test_ontology_terms_parse_to_their_local_name() -> None:
    assert iris.term("https://w3id.org/smartcity-graph/def/RoadmapCommitment") == (
        "RoadmapCommitment"
    )
    assert iris.term("https://schema.org/City") is None


@given(st.lists(st.text(min_size=1, max_size=12), min_size=2, max_size=8, unique=True))
def test_two_different_names_never_share_a_slug_silently(names: list[str]) -> None:
    """Either every name gets its own slug, or the clash is an error naming both."""
    try:
        slugs = iris.unique_slugs(names)
    except IRIError as exc:
        message = str(exc)
        assert "would share the slug" in message or "cannot derive a slug" in message
        return
    assert len(set(slugs.values())) == len(names)
    assert all(iris.is_slug(slug) for slug in slugs.values())


def test_a_slug_clash_names_both_names() -> None:
    with pytest.raises(IRIError, match="'Café' and 'Cafe' would share the slug 'cafe'"):
        iris.unique_slugs(["Café", "Cafe"])
