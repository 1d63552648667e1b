"""Reconciliation on real-world spellings, as integrators' spreadsheets write them.

Each row is a cell as written and the city it must match, or ``None`` where it must not
match anything (a place that is not a pioneer city, or one the qualifier rules out).
Queries carry no type, as in an OpenRefine batch run on a column of unknown kind. The
table's precision and recall are asserted, and printed with ``pytest -s``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartcity_graph.integrate.reconcile import THRESHOLD
from smartcity_graph.query.dataset import from_release
from smartcity_graph.settings import Settings
from smartcity_graph.web import create_app

SPELLINGS: list[tuple[str, str | None]] = [
    ("Córdoba, Argentina", "cordoba"),
    ("Manila, Philippines", "manila"),
    ("Daegu Metropolitan City", "daegu"),
    ("Kampala City", "kampala"),
    ("Newcastle NSW", "newcastle"),
    ("Q2841", "bogota"),
    ("https://w3id.org/smartcity-graph/id/city/lisbon", "lisbon"),
    ("Bengaluru, India", "bengaluru"),
    ("Bangalore", "bengaluru"),
    ("Hyderabad, Telangana", "hyderabad"),
    ("Indore (Madhya Pradesh)", "indore"),
    ("Faridabad, Haryana", "faridabad"),
    ("Milano", "milan"),
    ("Mailand", "milan"),
    ("Barcelona, Spain", "barcelona"),
    ("Bilbo", "bilbao"),
    ("Bilbao, Spain", "bilbao"),
    ("Lisboa", "lisbon"),
    ("Lisbon, Portugal", "lisbon"),
    ("London, UK", "london"),
    ("Greater London", "london"),
    ("Leeds, West Yorkshire", "leeds"),
    ("Belfast, Northern Ireland", "belfast"),
    ("Béal Feirste", "belfast"),
    ("Toronto, Ontario", "toronto"),
    ("Toronto ON", "toronto"),
    ("Chattanooga, TN", "chattanooga"),
    ("Chattanooga, Tennessee", "chattanooga"),
    ("San Jose, California", "san-jose"),
    ("San José, CA", "san-jose"),
    ("Mexico City", "mexico-city"),
    ("Ciudad de México", "mexico-city"),
    ("CDMX", "mexico-city"),
    ("Medellin, Colombia", "medellin"),
    ("Medellín", "medellin"),
    ("Bogota", "bogota"),
    ("Brasília, DF", "brasilia"),
    ("Brasilia", "brasilia"),
    ("Buenos Aires, Argentina", "buenos-aires"),
    ("Ciudad Autónoma de Buenos Aires", "buenos-aires"),
    ("Istanbul, Turkey", "istanbul"),
    ("İstanbul", "istanbul"),
    ("Antep", "gaziantep"),
    ("Gaziantep", "gaziantep"),
    ("Dubai, United Arab Emirates", "dubai"),
    ("Durban, South Africa", "durban"),
    ("eThekwini Municipality", "durban"),
    ("Kampala, Uganda", "kampala"),
    ("Hamamatsu, Shizuoka", "hamamatsu"),
    ("浜松市", "hamamatsu"),
    ("Kaga, Ishikawa", "kaga"),
    ("Kakogawa, Hyogo", "kakogawa"),
    ("Maebashi", "maebashi"),
    ("Taegu", "daegu"),
    ("Melbourne, Victoria", "melbourne"),
    ("Melbourne, Australia", "melbourne"),
    ("Moscow, Russia", "moscow"),
    ("Moskva", "moscow"),
    ("Karlsruhe, Germany", "karlsruhe"),
    ("Apeldoorn (Gelderland)", "apeldoorn"),
    ("City of Manila", "manila"),
    ("Lungsod ng Maynila", "manila"),
    # Not pioneer cities, or ruled out by their qualifier: no match, and for places that are
    # not in the dataset at all, no candidate at or above the threshold.
    ("Sao Paulo", None),
    ("Sao Paulo, Brazil", None),
    ("Paris, France", None),
    ("Berlin", None),
    ("Tokyo", None),
    ("Seoul", None),
    ("New York City", None),
    ("Newcastle upon Tyne", None),
    ("Q90", None),
    ("Córdoba, Spain", None),
    ("Melbourne, Canada", None),
]
#: Places that are not in the dataset (their rows above get no candidate at all).
ABSENT = {"Sao Paulo", "Sao Paulo, Brazil", "Paris, France", "Berlin", "Tokyo", "Seoul", "Q90"}


@pytest.fixture(scope="module")
def answers(release_dir: Path) -> Iterator[dict[str, Any]]:
    with TestClient(create_app(Settings(), from_release(release_dir))) as client:
        queries = {f"q{i}": {"query": text} for i, (text, _) in enumerate(SPELLINGS)}
        found: dict[str, Any] = {}
        for start in range(0, len(SPELLINGS), 10):  # OpenRefine sends batches of 10
            part = dict(list(queries.items())[start : start + 10])
            response = client.post("/reconcile", data={"queries": json.dumps(part)})
            assert response.status_code == 200
            found.update(response.json())
        yield found


def matched(answer: dict[str, Any]) -> str | None:
    hits = [c for c in answer["result"] if c["match"]]
    assert len(hits) <= 1, answer
    return hits[0]["id"].removeprefix("city/") if hits else None


def test_the_spellings_table_is_large_enough() -> None:
    assert len(SPELLINGS) >= 60
    assert len({text for text, _ in SPELLINGS}) == len(SPELLINGS)


def test_precision_and_recall_on_real_spellings(answers: dict[str, Any]) -> None:
    made = correct = expected = 0
    wrong = []
    for i, (text, city) in enumerate(SPELLINGS):
        got = matched(answers[f"q{i}"])
        expected += city is not None
        made += got is not None
        correct += got is not None and got == city
        if got != city:
            wrong.append((text, city, got))
    precision = correct / made
    recall = correct / expected
    print(
        f"\nreconciliation: {len(SPELLINGS)} spellings, precision {precision:.3f}, "
        f"recall {recall:.3f} ({correct} of {expected}; {made} matches made)"
    )
    assert precision == 1.0, wrong
    assert recall >= 0.95, wrong


@pytest.mark.parametrize("text", sorted(ABSENT))
def test_a_place_not_in_the_dataset_gets_no_candidate_above_the_threshold(
    answers: dict[str, Any], text: str
) -> None:
    i = next(i for i, (t, _) in enumerate(SPELLINGS) if t == text)
    assert all(c["score"] < THRESHOLD for c in answers[f"q{i}"]["result"]), answers[f"q{i}"]
