"""Run ``wrk`` against one URL and read its report: requests/s, p50, p99 and errors.

Used by ``bench/run.py``; one call is one cell of the benchmark (one system, one request,
one number of connections).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field

#: wrk prints latencies with these units (see wrk's units.c).
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_DONE = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", re.MULTILINE)
_SOCKET = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.MULTILINE
)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float | None
    p99_ms: float | None
    non_2xx: int = 0
    socket: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        """Non-2xx/3xx responses plus socket errors (connect, read, write, timeout)."""
        return self.non_2xx + sum(self.socket.values())

    def describe_errors(self) -> str:
        """``0``, or the kinds of errors, e.g. ``3 (non-2xx 1, timeout 2)``."""
        if not self.errors:
            return "0"
        parts = [f"non-2xx {self.non_2xx}"] if self.non_2xx else []
        parts += [f"{kind} {count}" for kind, count in self.socket.items() if count]
        return f"{self.errors} ({', '.join(parts)})"


def wrk_binary() -> str | None:
    """The wrk on PATH, if any."""
    return shutil.which("wrk")


def wrk_version() -> str:
    """wrk's own version line (wrk has no --version flag; it prints it with its usage)."""
    binary = wrk_binary()
    if binary is None:
        return "not installed"
    done = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0] if first else "unknown"


def parse(report: str) -> WrkResult:
    """Read wrk's ``--latency`` report."""
    latencies = {
        pct: float(value) * _UNIT_MS[unit] for pct, value, unit in _LATENCY.findall(report)
    }
    rps = _RPS.search(report)
    done = _DONE.search(report)
    if rps is None or done is None:
        raise ValueError(f"not a wrk report:\n{report}")
    socket = _SOCKET.search(report)
    non_2xx = _NON_2XX.search(report)
    requests = int(done.group(1))
    return WrkResult(
        requests=requests,
        seconds=float(done.group(2)) * _UNIT_MS[done.group(3)] / 1000,
        rps=float(rps.group(1)),
        # With no completed request, wrk prints a 0.00us distribution: no figure, not zero.
        p50_ms=latencies.get("50") if requests else None,
        p99_ms=latencies.get("99") if requests else None,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket=(
            dict(
                zip(("connect", "read", "write", "timeout"), map(int, socket.groups()), strict=True)
            )
            if socket
            else {}
        ),
    )


def run(url: str, *, connections: int, seconds: int, accept: str, timeout_s: int = 30) -> WrkResult:
    """``wrk -t1 -cC -dDs --latency --timeout T -H 'Accept: …' URL``, parsed."""
    binary = wrk_binary()
    if binary is None:
        raise RuntimeError("wrk is not on PATH (Debian: apt-get install wrk)")
    command = [
        binary,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, seconds)}s",
        "--latency",
        "--timeout",
        f"{timeout_s}s",
        "-H",
        f"Accept: {accept}",
        url,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + timeout_s + 30, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse(done.stdout)
