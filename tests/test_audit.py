"""The dependency audit (audit/check.py): OSV matching, the reviewed ignore list, the
snapshot's coverage, the live fallback, the refresh from mirrors, and the vendored npm list.

Most tests build a small synthetic snapshot in tmp_path. The tests against the real
snapshot run where one is present (audit/advisories/ or ../shared/advisories/; see
audit/README.md) and are skipped with that reason elsewhere.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
AUDIT = ROOT / "audit"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


check = _load("audit_check", AUDIT / "check.py")
refresh = _load("audit_refresh", AUDIT / "refresh.py")

SNAPSHOT_DATE = "2020-06-01T12:00:00+00:00"


def advisory(
    advisory_id: str,
    name: str,
    *,
    ecosystem: str = "PyPI",
    events: list[dict[str, str]] | None = None,
    versions: list[str] | None = None,
    aliases: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    affected: dict[str, Any] = {"package": {"ecosystem": ecosystem, "name": name}}
    if events is not None:
        kind = "SEMVER" if ecosystem == "npm" else "ECOSYSTEM"
        affected["ranges"] = [{"type": kind, "events": events}]
    if versions is not None:
        affected["versions"] = versions
    return {
        "id": advisory_id,
        "aliases": aliases or [],
        "details": f"{name} does something unsafe.",
        "affected": [affected],
        **extra,
    }


def write_snapshot(
    root: Path,
    advisories: list[dict[str, Any]],
    *,
    extracted: dict[str, list[str]],
    indexed_only: dict[str, list[str]] | None = None,
) -> Path:
    """A snapshot in the layout refresh.py writes; `extracted` names its ecosystems."""
    manifest: dict[str, Any] = {"format": 1, "extracted_on": "2020-06-02", "ecosystems": {}}
    for ecosystem, names in extracted.items():
        folder = check.ECOSYSTEM_DIRS[ecosystem]
        index = {check.normalize_name(ecosystem, n) for n in names}
        index |= set((indexed_only or {}).get(ecosystem, []))
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / "INDEX.txt").write_text("".join(f"{n}\n" for n in sorted(index)))
        manifest["ecosystems"][ecosystem] = {
            "sources": [
                {
                    "repository": "https://github.com/example/advisories",
                    "commit": "f" * 40,
                    "commit_date": SNAPSHOT_DATE,
                }
            ],
            "extracted": names,
            "index": f"{folder}/INDEX.txt",
        }
    for item in advisories:
        for affected in item["affected"]:
            ecosystem = affected["package"]["ecosystem"]
            name = check.package_dir(ecosystem, affected["package"]["name"])
            path = root / check.ECOSYSTEM_DIRS[ecosystem] / name / f"{item['id']}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(item))
    (root / check.SNAPSHOT_MANIFEST).write_text(json.dumps(manifest))
    return root


Audit = Callable[..., tuple[int, str]]


@pytest.fixture
def audit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Audit:
    """Run check.main on given pins, npm packages and ignore lines; (exit status, output)."""

    def run(
        snapshot: Path,
        python: Sequence[str] = (),
        npm: Sequence[str] = (),
        ignore: Sequence[str] = (),
        *options: str,
    ) -> tuple[int, str]:
        pins = tmp_path / "constraints.txt"
        pins.write_text("".join(f"{p}\n" for p in python))
        vendored = tmp_path / "npm-packages.txt"
        vendored.write_text("".join(f"{line} vendor/README.md\n" for line in npm))
        reviewed = tmp_path / "ignore.txt"
        reviewed.write_text("".join(f"{line}\n" for line in ignore))
        status = check.main(
            [
                "--snapshot",
                str(snapshot),
                "--constraints",
                str(pins),
                "--npm-packages",
                str(vendored),
                "--ignore",
                str(reviewed),
                "--no-installed",
                *options,
            ]
        )
        captured = capsys.readouterr()
        return status, captured.out + captured.err

    return run


@pytest.fixture
def demo_snapshot(tmp_path: Path) -> Path:
    return write_snapshot(
        tmp_path / "snapshot",
        [
            advisory(
                "DEMO-2020-1",
                "demo",
                events=[{"introduced": "0"}, {"fixed": "1.1"}],
                aliases=["CVE-2020-0001"],
            ),
        ],
        extracted={"PyPI": ["demo"]},
    )


# -- matching ranges, versions and withdrawals -------------------------------------------


def test_pin_inside_an_introduced_fixed_range_fails_naming_package_and_advisory(
    audit: Audit, demo_snapshot: Path
) -> None:
    status, out = audit(demo_snapshot, ["demo==1.0"])
    assert status == 1
    assert (
        "demo==1.0: DEMO-2020-1 (aliases: CVE-2020-0001) fixed in 1.1: demo does something unsafe."
    ) in out.splitlines()
    assert "audit: FAILED: 1 finding(s) in 1 Python and 0 npm packages" in out


def test_pin_at_the_fixed_version_passes_with_a_one_line_summary(
    audit: Audit, demo_snapshot: Path
) -> None:
    status, out = audit(demo_snapshot, ["demo==1.1"])
    assert status == 0
    assert out.splitlines() == [
        "audit: audited 1 Python and 0 npm packages against PyPI: the snapshot of 2020-06-01 "
        "(example/advisories@ffffffffffff): no known advisories"
    ]


@pytest.mark.parametrize(
    ("version", "affected"),
    [("1.0", False), ("1.2", True), ("1.5", True), ("1.5.1", False), ("2.0", False)],
)
def test_last_affected_includes_that_version_and_not_the_next(
    tmp_path: Path, audit: Audit, version: str, affected: bool
) -> None:
    snapshot = write_snapshot(
        tmp_path / "s",
        [advisory("DEMO-1", "demo", events=[{"introduced": "1.2"}, {"last_affected": "1.5"}])],
        extracted={"PyPI": ["demo"]},
    )
    status, out = audit(snapshot, [f"demo=={version}"])
    assert status == (1 if affected else 0)
    if affected:
        assert f"demo=={version}: DEMO-1 no fixed version known" in out


@pytest.mark.parametrize(("version", "affected"), [("2.0", True), ("2.1", False), ("2.2", True)])
def test_an_explicit_versions_list_matches_exactly_those_versions(
    tmp_path: Path, audit: Audit, version: str, affected: bool
) -> None:
    snapshot = write_snapshot(
        tmp_path / "s",
        [advisory("DEMO-2", "demo", versions=["2.0", "2.2"])],
        extracted={"PyPI": ["demo"]},
    )
    status, out = audit(snapshot, [f"demo=={version}"])
    assert status == (1 if affected else 0)
    assert (f"demo=={version}: DEMO-2" in out) is affected


def test_a_withdrawn_advisory_is_not_a_finding(tmp_path: Path, audit: Audit) -> None:
    snapshot = write_snapshot(
        tmp_path / "s",
        [
            advisory(
                "DEMO-3", "demo", events=[{"introduced": "0"}], withdrawn="2021-01-01T00:00:00Z"
            )
        ],
        extracted={"PyPI": ["demo"]},
    )
    assert audit(snapshot, ["demo==1.0"])[0] == 0


def test_pypi_names_are_compared_normalized(tmp_path: Path, audit: Audit) -> None:
    snapshot = write_snapshot(
        tmp_path / "s",
        [advisory("DEMO-4", "Py.YAML_Demo", events=[{"introduced": "0"}, {"fixed": "6.0"}])],
        extracted={"PyPI": ["py-yaml-demo"]},
    )
    status, out = audit(snapshot, ["PY_yaml.demo==5.4"])
    assert status == 1
    assert "PY_yaml.demo==5.4: DEMO-4" in out


def test_one_advisory_published_under_two_ids_is_reported_once(
    tmp_path: Path, audit: Audit
) -> None:
    events = [{"introduced": "0"}, {"fixed": "2.0"}]
    snapshot = write_snapshot(
        tmp_path / "s",
        [
            advisory("PYSEC-2020-9", "demo", events=events, aliases=["GHSA-aaaa-bbbb-cccc"]),
            advisory("GHSA-aaaa-bbbb-cccc", "demo", events=events, aliases=["CVE-2020-9"]),
        ],
        extracted={"PyPI": ["demo"]},
    )
    status, out = audit(snapshot, ["demo==1.0"])
    assert status == 1
    assert len([line for line in out.splitlines() if line.startswith("demo==1.0:")]) == 1


@pytest.mark.parametrize(
    ("version", "affected"),
    [
        ("3.9.9", False),
        ("4.0.0", True),
        ("4.6.2", True),
        ("4.6.3-beta.1", True),
        ("4.6.3", False),
        ("10.0.0", False),
    ],
)
def test_an_npm_semver_range_follows_semver_precedence(
    tmp_path: Path, audit: Audit, version: str, affected: bool
) -> None:
    snapshot = write_snapshot(
        tmp_path / "s",
        [
            advisory(
                "GHSA-npm1-demo-0001",
                "@demo/widget",
                ecosystem="npm",
                events=[{"introduced": "4.0.0"}, {"fixed": "4.6.3"}],
                summary="XSS in widget",
            )
        ],
        extracted={"npm": ["@demo/widget"]},
    )
    status, out = audit(snapshot, [], [f"@demo/widget {version}"])
    assert status == (1 if affected else 0)
    if affected:
        assert f"@demo/widget@{version}: GHSA-npm1-demo-0001 fixed in 4.6.3: XSS in widget" in out


def test_semver_precedence_is_that_of_the_specification() -> None:
    ordered = [
        "0",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.10.0",
        "2.0.0",
    ]
    assert sorted(ordered, key=check.semver_key) == ordered
    assert check.semver_key("1.0.0+build.5") == check.semver_key("1.0.0")
    with pytest.raises(ValueError, match="not a semantic version"):
        check.semver_key("1.0")


# -- the reviewed ignore list ----------------------------------------------------------------


def test_an_ignore_entry_hides_a_finding_through_its_expiry_day(
    audit: Audit, demo_snapshot: Path
) -> None:
    entry = ["DEMO-2020-1 demo 2026-12-31 only the unused sandbox; reviewed 2026-11-29"]
    status, out = audit(demo_snapshot, ["demo==1.0"], [], entry, "--today", "2026-12-31")
    assert status == 0
    assert "ignored until 2026-12-31 (ignore.txt:1: only the unused sandbox" in out
    assert "no known advisories" in out


def test_an_expired_ignore_entry_no_longer_hides_the_finding(
    audit: Audit, demo_snapshot: Path
) -> None:
    entry = ["DEMO-2020-1 demo 2026-12-31 only the unused sandbox; reviewed 2026-11-29"]
    status, out = audit(demo_snapshot, ["demo==1.0"], [], entry, "--today", "2027-01-01")
    assert status == 1
    assert (
        "demo==1.0: DEMO-2020-1 (aliases: CVE-2020-0001) fixed in 1.1: demo does something "
        "unsafe. [the ignore entry at ignore.txt:1 expired on 2026-12-31]"
    ) in out


def test_an_ignore_entry_may_name_the_cve_and_applies_to_its_package_only(
    tmp_path: Path, audit: Audit
) -> None:
    events = [{"introduced": "0"}, {"fixed": "9"}]
    snapshot = write_snapshot(
        tmp_path / "s",
        [
            advisory("X-1", "demo", events=events, aliases=["CVE-2020-0002"]),
            advisory("X-1", "other", events=events, aliases=["CVE-2020-0002"]),
        ],
        extracted={"PyPI": ["demo", "other"]},
    )
    entry = ["CVE-2020-0002 demo 2099-01-01 reviewed"]
    status, out = audit(snapshot, ["demo==1.0", "other==1.0"], [], entry)
    assert status == 1
    assert "ignored until 2099-01-01" in out
    assert "other==1.0: X-1" in out.replace("ignored until", "")


@pytest.mark.parametrize(
    "line", ["DEMO-2020-1 demo 2026-12-31", "DEMO-2020-1 demo 31/12/2026 a reason"]
)
def test_an_ignore_entry_without_a_reason_or_a_date_is_an_error(
    audit: Audit, demo_snapshot: Path, line: str
) -> None:
    status, out = audit(demo_snapshot, ["demo==1.0"], [], [line])
    assert status == 2
    assert "ignore.txt:1" in out


# -- what the snapshot covers ---------------------------------------------------------------


def test_a_package_with_advisories_the_snapshot_was_not_extracted_for_fails(
    tmp_path: Path, audit: Audit
) -> None:
    snapshot = write_snapshot(
        tmp_path / "s", [], extracted={"PyPI": ["demo"]}, indexed_only={"PyPI": ["newdep"]}
    )
    status, out = audit(snapshot, ["demo==1.0", "newdep==2.0", "quiet==1.0"])
    assert status == 1
    assert "newdep==2.0: the snapshot was not extracted for newdep" in out
    assert "quiet" not in out  # no advisory at all in the source: nothing to extract


def test_an_ecosystem_the_snapshot_has_no_source_for_is_reported_not_audited(
    audit: Audit, demo_snapshot: Path
) -> None:
    status, out = audit(demo_snapshot, ["demo==1.1"], ["axe-core 4.14.1"])
    assert status == 0
    assert "audit: NOT AUDITED: 1 npm packages" in out
    assert "audited 1 Python and 0 npm packages" in out


def test_without_a_snapshot_the_audit_says_so_and_fails_only_when_required(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(check.SNAPSHOT_ENV, raising=False)
    monkeypatch.setattr(check, "DEFAULT_SNAPSHOTS", (tmp_path / "none",))
    pins = tmp_path / "pins.txt"
    pins.write_text("demo==1.0\n")
    args = ["--constraints", str(pins), "--no-installed", "--ignore", str(tmp_path / "no")]
    assert check.main(args) == 0
    assert "no advisory snapshot" in capsys.readouterr().out
    assert check.main([*args, "--require-snapshot"]) == 2
    assert "NOT audited" in capsys.readouterr().err


def test_constraints_must_be_exact_pins(audit: Audit, demo_snapshot: Path) -> None:
    status, out = audit(demo_snapshot, ["demo>=1.0"])
    assert status == 2
    assert "constraints.txt:1: not an exact pin" in out


# -- the live route -------------------------------------------------------------------------


def test_live_pip_audit_that_skipped_packages_is_not_taken_as_a_clean_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    skipped = {"dependencies": [{"name": "demo", "skip_reason": "Dependency not found on PyPI"}]}

    def fake_run(command: list[str], cwd: Path | None = None) -> Any:
        return subprocess.CompletedProcess(command, 0, json.dumps(skipped), "")

    monkeypatch.setattr(check, "_run", fake_run)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())
    found, why = check.live_python([check.Package("PyPI", "demo", "1.0", "test")])
    assert found is None
    assert "could not audit 1 of 1 packages (Dependency not found on PyPI)" in why


def test_live_falls_back_to_the_snapshot_and_says_so(
    audit: Audit, demo_snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(check, "live_python", lambda packages: (None, "no network"))
    monkeypatch.setattr(check, "live_npm", lambda packages: (None, "405 from the registry"))
    status, out = audit(demo_snapshot, ["demo==1.0"], ["axe-core 4.14.1"], [], "--live")
    assert status == 1
    assert (
        "audit: live pip-audit unavailable: no network; falling back to the snapshot of 2020-06-01"
    ) in out
    assert "audit: live npm audit unavailable: 405 from the registry" in out
    assert "demo==1.0: DEMO-2020-1" in out


# -- refreshing from mirrors ----------------------------------------------------------------


def _git_repo(path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    identity = ["-c", "user.name=audit test", "-c", "user.email=audit@example.invalid"]
    for command in (["init", "-q"], ["add", "."], [*identity, "commit", "-q", "-m", "data"]):
        subprocess.run(["git", "-C", str(path), *command], check=True, capture_output=True)
    return path


def test_refresh_extracts_our_packages_from_both_mirrors_and_is_deterministic(
    tmp_path: Path, audit: Audit
) -> None:
    pypa = _git_repo(
        tmp_path / "pypa",
        {
            "LICENSE": "Attribution 4.0 International\n",
            "vulns/demo/PYSEC-2020-1.yaml": (
                "id: PYSEC-2020-1\nmodified: 2021-07-05T00:01:22Z\ndetails: demo leaks.\n"
                "aliases:\n- CVE-2020-1111\naffected:\n- package:\n    name: demo\n"
                "    ecosystem: PyPI\n  ranges:\n  - type: ECOSYSTEM\n    events:\n"
                "    - introduced: '0'\n    - fixed: '1.1'\n"
            ),
            "vulns/unused/PYSEC-2020-2.yaml": (
                "id: PYSEC-2020-2\ndetails: x\naffected:\n- package:\n    name: unused\n"
                "    ecosystem: PyPI\n  versions:\n  - '1.0'\n"
            ),
        },
    )
    widget = advisory(
        "GHSA-aaaa-bbbb-cccc",
        "@demo/widget",
        ecosystem="npm",
        events=[{"introduced": "0"}, {"fixed": "4.6.3"}],
        summary="XSS",
    )
    ghsa = "advisories/github-reviewed/2021/01/GHSA-aaaa-bbbb-cccc/GHSA-aaaa-bbbb-cccc.json"
    github = _git_repo(
        tmp_path / "github",
        {
            "README.md": "licensed under the terms of the CC-BY 4.0 open source license\n",
            ghsa: json.dumps(widget),
        },
    )
    pins = tmp_path / "pins.txt"
    pins.write_text("demo==1.0\n")
    vendored = tmp_path / "npm.txt"
    vendored.write_text("@demo/widget 4.6.2 vendor/README.md\n")
    out = tmp_path / "snapshot"
    args = [
        "--pypa",
        str(pypa),
        "--github",
        str(github),
        "--out",
        str(out),
        "--constraints",
        str(pins),
        "--npm-packages",
        str(vendored),
        "--no-installed",
        "--date",
        "2026-11-29",
    ]
    assert refresh.main(args) == 0

    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert sorted(files) == [
        "README.md",
        "SNAPSHOT.json",
        "npm/@demo+widget/GHSA-aaaa-bbbb-cccc.json",
        "npm/INDEX.txt",
        "pypi/INDEX.txt",
        "pypi/demo/PYSEC-2020-1.json",
    ]
    assert files["pypi/INDEX.txt"] == b"demo\nunused\n"
    converted = json.loads(files["pypi/demo/PYSEC-2020-1.json"])
    assert converted["modified"] == "2021-07-05T00:01:22Z"  # a YAML timestamp, as OSV JSON
    manifest = json.loads(files["SNAPSHOT.json"])
    sources = manifest["ecosystems"]["PyPI"]["sources"]
    assert [s["repository"] for s in sources] == [refresh.PYPA, refresh.GITHUB]
    assert all(len(s["commit"]) == 40 and s["licence"] == "CC-BY-4.0" for s in sources)

    status, report = audit(out, ["demo==1.0"], ["@demo/widget 4.6.2"])
    assert status == 1
    assert "demo==1.0: PYSEC-2020-1 (aliases: CVE-2020-1111) fixed in 1.1: demo leaks." in report
    assert "@demo/widget@4.6.2: GHSA-aaaa-bbbb-cccc fixed in 4.6.3: XSS" in report

    assert refresh.main(args) == 0
    again = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert again == files


def test_refresh_refuses_a_source_whose_licence_changed(tmp_path: Path) -> None:
    pypa = _git_repo(tmp_path / "pypa", {"LICENSE": "All rights reserved\n", "vulns/x": ""})
    with pytest.raises(SystemExit, match=r"no longer says CC-BY 4\.0"):
        refresh.main(["--pypa", str(pypa), "--out", str(tmp_path / "o"), "--no-installed"])


# -- the real snapshot and the real pins ----------------------------------------------------


@pytest.fixture
def real_snapshot() -> Path:
    found = check.find_snapshot(None)
    if found is None:
        pytest.skip("no advisory snapshot here (audit/advisories/ or ../shared/advisories/)")
    return Path(found)


def test_a_known_vulnerable_pin_fails_against_the_real_snapshot(
    real_snapshot: Path, audit: Audit
) -> None:
    status, out = audit(real_snapshot, ["jinja2==2.10", "urllib3==2.8.0"])
    assert status == 1
    assert re.search(
        r"^jinja2==2\.10: PYSEC-2019-217 \(aliases: CVE-2019-10906, GHSA-462w-v97r-4m45\) "
        r"fixed in 2\.10\.1: In Pallets Jinja before 2\.10\.1, str\.format_map allows a sandbox "
        r"escape\.$",
        out,
        re.MULTILINE,
    )
    assert "urllib3" not in out


def test_the_project_pins_and_installed_packages_pass_against_the_real_snapshot(
    real_snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = check.main(["--snapshot", str(real_snapshot)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert re.search(r"^audit: audited \d+ Python and \d+ npm packages against ", out, re.M)


# -- the vendored npm packages --------------------------------------------------------------


def _npm_lines() -> list[tuple[str, str, str, str | None]]:
    lines = []
    for raw in (AUDIT / "npm-packages.txt").read_text().splitlines():
        if raw.strip() and not raw.startswith("#"):
            listed, _, evidence = raw.partition("|")
            name, version, where = listed.split()
            lines.append((name, version, where, evidence.strip() or None))
    return lines


@pytest.mark.parametrize(("name", "version", "where", "evidence"), _npm_lines())
def test_every_listed_npm_package_is_stated_by_its_vendored_file(
    name: str, version: str, where: str, evidence: str | None
) -> None:
    text = (ROOT / where).read_text(encoding="utf-8")
    if evidence is None:
        stated = rf"(?<![\w@/-]){re.escape(name)}`?(?: |@){re.escape(version)}(?![\w.])"
        assert re.search(stated, text), f"{where} does not state {name} {version}"
    else:
        assert evidence in text, f"{where} does not contain {evidence!r}"
        assert re.search(rf"(?<![\d.]){re.escape(version)}(?![\d.])", evidence)


def test_every_npm_package_a_vendored_readme_names_is_listed() -> None:
    listed = {(name, version) for name, version, _, _ in _npm_lines()}
    readmes = [
        *(ROOT / "src").rglob("static/**/README.md"),
        *(ROOT / "tests/vendor").rglob("README.md"),
    ]
    named = set()
    for readme in readmes:
        for match in re.finditer(
            r"npm package `(@?[^`@\s]+)(?:@([^`\s]+))?`(?: ([0-9][^\s(),]*))?", readme.read_text()
        ):
            named.add((match.group(1), match.group(2) or match.group(3)))
    assert len(named) >= 3, readmes
    assert named <= listed, f"named in a vendored README but not audited: {named - listed}"


def test_make_test_runs_the_audit_before_pytest() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: .*\blint audit\n\t\$\(BIN\)/pytest", makefile, re.M)
    assert re.search(r"^audit: setup\n\t\$\(BIN\)/python audit/check\.py\n", makefile, re.M)
