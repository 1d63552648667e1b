"""Soak and shutdown, bounded for CI: ``bench/soak.py`` (the full run is 64 connections for
60 s; its figures are in the README) with 16 connections for 5 s. Zero errors, no memory
growth beyond the caches' warm-up, in-flight queries answered through a SIGTERM, and a
restart serving the same release."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import soak

pytestmark = pytest.mark.slow


def test_a_bounded_soak_has_no_errors_no_growth_and_a_graceful_stop(release_dir: Path) -> None:
    figures = soak.soak(release_dir, connections=16, seconds=5, probe_seconds=1)
    assert figures["problems"] == []
    assert figures["errors"] == 0
    assert isinstance(figures["requests"], int)
    assert figures["requests"] > 100
    before, after = figures["RSS before (MiB)"], figures["RSS after (MiB)"]
    assert isinstance(before, float)
    assert isinstance(after, float)
    assert after <= before * 1.2, f"memory grew from {before} to {after} MiB"


def test_the_mix_is_answered_200_and_anything_else_counts_as_an_error(
    release_server: str,
) -> None:
    """Every request of the mix is answered 200 by a real server, so an error in the soak is
    the server's; the failing example, a path that is not there, is counted."""

    async def ask(requests: list[soak.Request]) -> soak.Tally:
        tally = soak.Tally()
        async with httpx.AsyncClient(base_url=release_server, timeout=30) as client:
            for request in requests:
                await soak.one(client, request, tally)
        return tally

    mix = soak.mix()
    assert {r.path.split("?")[0] for r in mix} >= {"/sparql", "/", "/def", "/release/graph.ttl"}
    assert asyncio.run(ask(mix)).errors == []
    wrong = soak.Request("GET", "/id/city/atlantis", soak.BROWSER)
    assert asyncio.run(ask([wrong])).errors == ["GET /id/city/atlantis: 404"]
