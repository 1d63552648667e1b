"""kill -9 at any point of a build leaves the published release whole.

Each test starts ``python -m smartcity_graph build --out DIR`` as a real process while DIR
holds a good release, kills it with SIGKILL, and then checks DIR: every file matches
``DIR/manifest.json`` (size and sha256), nothing is missing and nothing extra, and it is one
of the two releases (the old one, or the new one if the build got that far), never a mix.
Then a following build must succeed and replace it.

The kills come at ten moments spread evenly over a build's measured duration (reading,
validating, rendering, publishing: wherever they fall), and at named points inside
publishing, where the timing would rarely land: the build is paused there by a small
wrapper that stops its own process (SIGSTOP) at that point, and killed while stopped. The
wrapper patches the test's process only; the program has no hook for it.

The two releases differ by their date (``--date``), so old and new are told apart by their
manifests, which are byte-identical from one build of the same inputs to the next.
"""

from __future__ import annotations

import hashlib
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, build_args

OLD, NEW = "2020-12-01", "2021-06-30"

#: Pauses a build at a named point of publishing: ``python -c PAUSE POINT ARGS...``.
PAUSE = """
import os, shutil, signal, sys
from pathlib import Path
from smartcity_graph.cli import main
from smartcity_graph.graph import publish

point, arguments = sys.argv[1], sys.argv[2:]
state = {"fsyncs": 0, "swapped": False}

def pause():
    os.kill(os.getpid(), signal.SIGSTOP)

if point == "half-the-files-written":
    real_fsync = os.fsync
    def fsync(descriptor):
        real_fsync(descriptor)
        state["fsyncs"] += 1
        if state["fsyncs"] == 30:
            pause()
    os.fsync = fsync

real_swap = publish._swap
def swap(new, out, backup):
    if point == "all-written-before-the-swap":
        pause()
    real_swap(new, out, backup)
    state["swapped"] = True
    if point == "just-after-the-swap":
        pause()
publish._swap = swap

real_rmtree = shutil.rmtree
def rmtree(path, *args, **kwargs):
    if point == "while-removing-the-old-release" and state["swapped"] and Path(path).is_dir():
        for file in sorted(Path(path).iterdir())[:10]:
            file.unlink()
        pause()
    return real_rmtree(path, *args, **kwargs)
shutil.rmtree = rmtree

if point == "between-the-two-renames":
    publish._exchange = lambda first, second: False  # a file system without RENAME_EXCHANGE
    real_rename = Path.rename
    def rename(self, target):
        result = real_rename(self, target)
        if ".old-" in Path(target).name:
            pause()
        return result
    Path.rename = rename

sys.exit(main(arguments))
"""
POINTS = [
    "half-the-files-written",
    "all-written-before-the-swap",
    "just-after-the-swap",
    "while-removing-the-old-release",
]

pytestmark = pytest.mark.slow


def build_command(data: Path, out: Path, date: str) -> list[str]:
    return [*build_args(data, out), "--date", date]


def build(data: Path, out: Path, date: str) -> float:
    """A whole build, as a user runs it; its duration."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "smartcity_graph", "build", *build_command(data, out, date)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return time.monotonic() - started


def whole(release: Path) -> bytes:
    """Assert *release* is exactly what its manifest lists; return the manifest."""
    manifest = (release / "manifest.json").read_bytes()
    entries = {entry["path"]: entry for entry in json.loads(manifest)["files"]}
    present = {path.name for path in release.iterdir()}
    assert present == {*entries, "manifest.json"}, present ^ {*entries, "manifest.json"}
    for name, entry in entries.items():
        content = (release / name).read_bytes()
        assert len(content) == entry["bytes"], name
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], name
    return manifest


def leftovers(release: Path) -> list[str]:
    pattern = re.compile(rf"^\.{re.escape(release.name)}\.(tmp|old)-\d+$")
    return sorted(p.name for p in release.parent.iterdir() if pattern.match(p.name))


def stopped(pid: int, timeout: float = 120) -> None:
    """Wait until process *pid* has stopped itself (state T)."""
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "T":
        assert time.monotonic() < deadline, "the build never reached its pause"
        time.sleep(0.02)


def kill(process: subprocess.Popen[bytes]) -> bool:
    """SIGKILL; True if that is what ended it (False: it had just finished, successfully)."""
    process.send_signal(signal.SIGKILL)
    code = process.wait(timeout=30)
    assert code in (0, -signal.SIGKILL), code
    return code == -signal.SIGKILL


@pytest.fixture
def releases(tmp_path: Path, data_copy: Path) -> tuple[Path, bytes, bytes, float]:
    """DIR with the old release in it; the old and new manifests; a build's duration."""
    out = tmp_path / "site" / "release"
    elsewhere = tmp_path / "elsewhere" / "release"
    build(data_copy, elsewhere, NEW)
    new = whole(elsewhere)
    duration = build(data_copy, out, OLD)
    old = whole(out)
    assert old != new
    return out, old, new, duration


def test_a_build_killed_at_ten_moments_leaves_the_release_whole_and_the_next_replaces_it(
    releases: tuple[Path, bytes, bytes, float], data_copy: Path
) -> None:
    out, old, new, duration = releases
    manifests = {OLD: old, NEW: new}
    seen = []
    current = OLD
    for moment in range(10):
        target = NEW if current == OLD else OLD
        delay = duration * (moment + 0.5) / 10
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "smartcity_graph",
                "build",
                *build_command(data_copy, out, target),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        finished = not kill(process)
        found = whole(out)
        assert found in (manifests[current], manifests[target])
        seen.append(
            f"{delay:5.2f} s: {'finished' if finished else 'killed'}, "
            f"{'new' if found == manifests[target] else 'old'} release whole"
        )
        build(data_copy, out, target)  # the following build succeeds and replaces it
        assert whole(out) == manifests[target]
        current = target
    assert leftovers(out) == []
    print("\n".join(seen))


@pytest.mark.parametrize("point", POINTS)
def test_a_build_killed_at_a_point_of_publishing_leaves_the_release_whole(
    point: str, releases: tuple[Path, bytes, bytes, float], data_copy: Path
) -> None:
    out, old, new, _ = releases
    process = subprocess.Popen(
        [sys.executable, "-c", PAUSE, point, "build", *build_command(data_copy, out, NEW)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stopped(process.pid)
    assert kill(process)
    before_the_swap = point in ("half-the-files-written", "all-written-before-the-swap")
    assert whole(out) == (old if before_the_swap else new)
    assert leftovers(out), "the killed build left its temporary sibling (cleaned up next)"
    build(data_copy, out, OLD)
    assert whole(out) == old
    assert leftovers(out) == []


def test_leftovers_of_killed_builds_do_not_break_the_next_build_and_a_running_ones_are_kept(
    releases: tuple[Path, bytes, bytes, float], data_copy: Path
) -> None:
    """Two builds at once, both paused while publishing: the second leaves the first one's
    temporary alone (its process is alive). Both are killed; the next build removes both
    leftovers and publishes."""
    out, old, new, _ = releases
    paused = []
    for point in ("half-the-files-written", "all-written-before-the-swap"):
        process = subprocess.Popen(
            [sys.executable, "-c", PAUSE, point, "build", *build_command(data_copy, out, NEW)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        stopped(process.pid)
        paused.append(process)
    assert len(leftovers(out)) == 2, "a running build's temporary was removed"
    for process in paused:
        assert kill(process)
    assert whole(out) == old
    build(data_copy, out, NEW)
    assert whole(out) == new
    assert leftovers(out) == []


def test_where_the_file_system_cannot_exchange_a_build_killed_between_two_renames_is_undone(
    releases: tuple[Path, bytes, bytes, float], data_copy: Path
) -> None:
    """Without RENAME_EXCHANGE the swap is two renames, and a kill between them leaves no
    release at DIR for a moment: the old one waits under its backup name, and the next
    build puts it back before anything else, even a build that then fails."""
    out, old, _, _ = releases
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            PAUSE,
            "between-the-two-renames",
            "build",
            *build_command(data_copy, out, NEW),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stopped(process.pid)
    assert kill(process)
    assert not out.exists()
    (backup,) = (name for name in leftovers(out) if ".old-" in name)
    assert whole(out.parent / backup) == old
    cities = data_copy / "cities.yaml"
    cities.write_text(cities.read_text().replace("country: italy", "country: italia"))
    failed = subprocess.run(
        [sys.executable, "-m", "smartcity_graph", "build", *build_command(data_copy, out, NEW)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert failed.returncode == 1
    assert whole(out) == old
    assert leftovers(out) == []
