"""Audit the pinned Python packages and the vendored npm packages for known advisories.

    .venv/bin/python audit/check.py            # what `make audit` runs (and `make test`)
    .venv/bin/python audit/check.py --live     # ask pip-audit and npm audit first

What is audited:

- Python: every exact pin in `constraints.txt`, and every distribution installed in the
  interpreter that runs this script (the project's own excepted). In CI that interpreter is
  the fresh `.venv` that `make` installs with `-c constraints.txt`, so the installed set is
  exactly what the tests run with, transitive dependencies included; a separate lock file
  would repeat pip's resolution and drift from it.
- npm: the packages listed in `audit/npm-packages.txt` (the vendored front-end assets and
  the libraries bundled in them; a test checks the list against the vendored files).

Against what: an advisory snapshot in OSV JSON (see `audit/README.md`), by default the
first of `$SCG_ADVISORY_SNAPSHOT`, `audit/advisories/` and `../shared/advisories/` that
exists. A snapshot makes the result reproducible: the same pins and the same snapshot give
the same answer on any machine, with or without a network. `--live` asks pip-audit and
npm audit first and falls back to the snapshot, saying so, when they cannot answer.

Output: one line per finding, `package==version: ID (aliases: ...) fixed in X: summary`
(`package@version` for npm). Exit status: 0 when nothing is found but what
`audit/ignore.txt` accepts until a date not yet past, 1 when an advisory is found (or a
package has advisories in the source the snapshot was not extracted for), 2 on a usage
or input error.

Only the standard library and `packaging` (installed with pip) are used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
AUDIT = ROOT / "audit"

PYPI = "PyPI"
NPM = "npm"
ECOSYSTEMS = (PYPI, NPM)
# Where a snapshot is looked for when --snapshot is not given, in this order. The last is
# the steering repository's shared/ folder, which lies beside every checkout and beside
# CI's clone.
SNAPSHOT_ENV = "SCG_ADVISORY_SNAPSHOT"
DEFAULT_SNAPSHOTS = (AUDIT / "advisories", ROOT.parent / "shared" / "advisories")
SNAPSHOT_MANIFEST = "SNAPSHOT.json"
ECOSYSTEM_DIRS = {PYPI: "pypi", NPM: "npm"}


class AuditError(Exception):
    """An input the audit cannot read: a usage error, exit status 2."""


# -- versions -------------------------------------------------------------------------------


def normalize_name(ecosystem: str, name: str) -> str:
    """PEP 503 for PyPI (`PyYAML`, `pyyaml` and `py_yaml` are one package); npm as is."""
    if ecosystem == PYPI:
        return re.sub(r"[-_.]+", "-", name).lower()
    return name


_SEMVER = re.compile(
    r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$"
)

# A sort key: "0" (OSV's "from the beginning") sorts before every version.
VersionKey = tuple[Any, ...]


def semver_key(text: str) -> VersionKey:
    """Semantic Versioning 2.0 precedence, as npm compares versions."""
    if text == "0":
        return (0, 0, 0, 0, ())
    match = _SEMVER.match(text.strip())
    if match is None:
        raise ValueError(f"not a semantic version: {text!r}")
    major, minor, patch, pre = match.groups()
    if pre is None:
        # A release sorts after every pre-release of the same version.
        return (int(major), int(minor), int(patch), 1, ())
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (int(major), int(minor), int(patch), 0, parts)


def version_key(ecosystem: str, text: str) -> VersionKey:
    """A comparable key for a version of `ecosystem`; ValueError when it cannot be read."""
    if ecosystem == PYPI:
        try:
            return (Version("0") if text == "0" else Version(text),)
        except InvalidVersion as error:
            raise ValueError(str(error)) from error
    return semver_key(text)


# -- advisories -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Package:
    ecosystem: str
    name: str  # as written in the pins
    version: str
    origin: str  # where the pin was read

    @property
    def key(self) -> str:
        return normalize_name(self.ecosystem, self.name)

    def __str__(self) -> str:
        separator = "@" if self.ecosystem == NPM else "=="
        return f"{self.name}{separator}{self.version}"


@dataclass(frozen=True)
class Finding:
    package: Package
    advisory_id: str
    aliases: tuple[str, ...]
    fixed: str | None
    summary: str
    source: str  # "snapshot" or the live tool's name

    def line(self) -> str:
        aliases = f" (aliases: {', '.join(self.aliases)})" if self.aliases else ""
        fixed = f"fixed in {self.fixed}" if self.fixed else "no fixed version known"
        return f"{self.package}: {self.advisory_id}{aliases} {fixed}: {self.summary}"


def _summary(advisory: dict[str, Any]) -> str:
    """The advisory's summary, else the start of its details, on one line."""
    text = " ".join(str(advisory.get("summary") or advisory.get("details") or "").split())
    if len(text) <= 160:
        return text
    return text[:157].rsplit(" ", 1)[0].rstrip(",;:") + "..."


def _in_range(ecosystem: str, version: VersionKey, events: Sequence[dict[str, str]]) -> bool:
    """OSV's evaluation of one range's events, sorted by version."""
    keyed: list[tuple[VersionKey, int, str, str]] = []
    # On a tie, "introduced" is evaluated before "fixed" / "last_affected".
    order = {"introduced": 0, "fixed": 1, "last_affected": 1}
    for event in events:
        for kind, value in event.items():
            if kind in order:
                keyed.append((version_key(ecosystem, value), order[kind], kind, value))
    affected = False
    for key, _, kind, _value in sorted(keyed, key=lambda item: (item[0], item[1])):
        if kind == "introduced" and version >= key:
            affected = True
        elif version > key or (kind == "fixed" and version == key):
            affected = False  # at or past a fix, or past the last affected version
    return affected


def _affects(ecosystem: str, version: str, affected: dict[str, Any]) -> tuple[bool, list[str]]:
    """Whether one `affected` entry covers `version`, and the fixed versions above it."""
    key = version_key(ecosystem, version)
    hit = False
    fixes: list[str] = []
    for listed in affected.get("versions") or []:
        try:
            if version_key(ecosystem, str(listed)) == key:
                hit = True
        except ValueError:
            hit = hit or str(listed) == version
    for range_ in affected.get("ranges") or []:
        if range_.get("type") not in ("ECOSYSTEM", "SEMVER"):
            continue  # GIT ranges name commits, not releases
        events = range_.get("events") or []
        try:
            if _in_range(ecosystem, key, events):
                hit = True
            fixes.extend(
                e["fixed"]
                for e in events
                if "fixed" in e and version_key(ecosystem, e["fixed"]) > key
            )
        except ValueError as error:
            raise AuditError(f"cannot read a range of {ecosystem} versions: {error}") from error
    return hit, fixes


def match(advisory: dict[str, Any], package: Package, source: str = "snapshot") -> Finding | None:
    """The finding `advisory` makes about `package`, or None (withdrawn or not affected)."""
    if advisory.get("withdrawn"):
        return None
    hit = False
    fixes: list[str] = []
    for affected in advisory.get("affected") or []:
        target = affected.get("package") or {}
        if target.get("ecosystem") != package.ecosystem:
            continue
        if normalize_name(package.ecosystem, str(target.get("name", ""))) != package.key:
            continue
        entry_hit, entry_fixes = _affects(package.ecosystem, package.version, affected)
        if entry_hit:
            hit = True
            fixes.extend(entry_fixes)
    if not hit:
        return None
    fixed = min(fixes, key=lambda v: version_key(package.ecosystem, v)) if fixes else None
    return Finding(
        package=package,
        advisory_id=str(advisory["id"]),
        aliases=tuple(sorted(str(a) for a in advisory.get("aliases") or [])),
        fixed=fixed,
        summary=_summary(advisory),
        source=source,
    )


# -- the snapshot ---------------------------------------------------------------------------


@dataclass
class Snapshot:
    """Advisories in OSV JSON, `<ecosystem dir>/<package>/<ID>.json`, and SNAPSHOT.json.

    For each ecosystem the manifest names its sources (repository, commit, date), the
    packages advisories were extracted for, and an index file listing every package that
    has at least one advisory in the sources: a package that is in neither list has no
    advisory there at all.
    """

    root: Path
    manifest: dict[str, Any]

    @classmethod
    def load(cls, root: Path) -> Snapshot:
        path = root / SNAPSHOT_MANIFEST
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise AuditError(f"{path}: cannot read the snapshot manifest: {error}") from error
        return cls(root, manifest)

    def ecosystem(self, ecosystem: str) -> dict[str, Any] | None:
        entry = self.manifest.get("ecosystems", {}).get(ecosystem)
        return entry if isinstance(entry, dict) else None

    def covers(self, ecosystem: str) -> bool:
        return self.ecosystem(ecosystem) is not None

    def date(self, ecosystem: str) -> str:
        """The date of the oldest source commit of `ecosystem`: nothing newer is known."""
        entry = self.ecosystem(ecosystem) or {}
        dates = [str(s["commit_date"])[:10] for s in entry.get("sources", [])]
        return min(dates) if dates else "?"

    def describe(self, ecosystem: str) -> str:
        entry = self.ecosystem(ecosystem) or {}
        return ", ".join(
            f"{s['repository'].removeprefix('https://github.com/')}@{str(s['commit'])[:12]}"
            for s in entry.get("sources", [])
        )

    def extracted(self, ecosystem: str) -> set[str]:
        entry = self.ecosystem(ecosystem) or {}
        return {normalize_name(ecosystem, n) for n in entry.get("extracted", [])}

    def indexed(self, ecosystem: str) -> set[str]:
        entry = self.ecosystem(ecosystem) or {}
        index = self.root / str(entry.get("index", f"{ECOSYSTEM_DIRS[ecosystem]}/INDEX.txt"))
        try:
            lines = index.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise AuditError(f"{index}: cannot read the snapshot's index: {error}") from error
        return {normalize_name(ecosystem, n.strip()) for n in lines if n.strip()}

    def advisories(self, ecosystem: str, name: str) -> Iterator[dict[str, Any]]:
        folder = self.root / ECOSYSTEM_DIRS[ecosystem] / package_dir(ecosystem, name)
        for path in sorted(folder.glob("*.json")):
            try:
                yield json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise AuditError(f"{path}: cannot read the advisory: {error}") from error

    def count(self) -> int:
        return sum(
            1 for eco in ECOSYSTEMS for _ in (self.root / ECOSYSTEM_DIRS[eco]).glob("*/*.json")
        )


def package_dir(ecosystem: str, name: str) -> str:
    """The folder of a package's advisories: `@scope/name` becomes `@scope+name`."""
    return normalize_name(ecosystem, name).replace("/", "+")


def find_snapshot(explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    candidates = [Path(os.environ[SNAPSHOT_ENV])] if os.environ.get(SNAPSHOT_ENV) else []
    candidates += DEFAULT_SNAPSHOTS
    return next((c for c in candidates if (c / SNAPSHOT_MANIFEST).is_file()), None)


# -- the pins -------------------------------------------------------------------------------


def read_constraints(path: Path) -> list[Package]:
    """Exact `name==version` pins, one a line; anything else is an error."""
    packages = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise AuditError(f"{path}: {error}") from error
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            raise AuditError(f"{path}:{number}: not a requirement: {error}") from error
        specs = list(requirement.specifier)
        if len(specs) != 1 or specs[0].operator != "==" or "*" in specs[0].version:
            raise AuditError(f"{path}:{number}: not an exact pin (name==version): {line}")
        packages.append(Package(PYPI, requirement.name, specs[0].version, f"{path.name}:{number}"))
    return packages


def project_name() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["name"])


def installed_packages() -> list[Package]:
    """Every distribution installed in this interpreter, but the project itself."""
    own = normalize_name(PYPI, project_name())
    packages = {}
    for distribution in importlib.metadata.distributions():
        name = distribution.metadata["Name"]
        if name and normalize_name(PYPI, name) != own:
            packages[normalize_name(PYPI, name)] = Package(
                PYPI, name, distribution.version, "installed"
            )
    return sorted(packages.values(), key=lambda p: p.key)


def read_npm_packages(path: Path) -> list[Package]:
    """`audit/npm-packages.txt`: `name version where [| evidence]`, one a line."""
    packages = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise AuditError(f"{path}: {error}") from error
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split("|", 1)[0].split()
        if len(fields) != 3:
            raise AuditError(f"{path}:{number}: expected `name version where [| text]`: {line}")
        name, version, _where = fields
        try:
            semver_key(version)
        except ValueError as error:
            raise AuditError(f"{path}:{number}: {error}") from error
        packages.append(Package(NPM, name, version, f"{path.name}:{number}"))
    return packages


def unique(packages: Iterable[Package]) -> list[Package]:
    """One entry per (ecosystem, package, version), the first origin kept."""
    seen: dict[tuple[str, str, str], Package] = {}
    for package in packages:
        seen.setdefault((package.ecosystem, package.key, package.version), package)
    return list(seen.values())


# -- reviewed exceptions --------------------------------------------------------------------


@dataclass(frozen=True)
class IgnoreEntry:
    advisory_id: str
    package: str
    expires: dt.date
    reason: str
    where: str

    def matches(self, finding: Finding) -> bool:
        ids = {finding.advisory_id, *finding.aliases}
        same = normalize_name(finding.package.ecosystem, self.package) == finding.package.key
        return same and self.advisory_id in ids


def read_ignore(path: Path) -> list[IgnoreEntry]:
    """`ID package YYYY-MM-DD reason`, one a line; the reason is required."""
    if not path.exists():
        return []
    entries = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 3)
        if len(parts) < 4:
            raise AuditError(f"{path}:{number}: expected `ID package YYYY-MM-DD reason`: {line}")
        advisory_id, package, expires, reason = parts
        try:
            date = dt.date.fromisoformat(expires)
        except ValueError as error:
            raise AuditError(f"{path}:{number}: expiry is not YYYY-MM-DD: {expires}") from error
        entries.append(IgnoreEntry(advisory_id, package, date, reason, f"{path.name}:{number}"))
    return entries


# -- auditing -------------------------------------------------------------------------------


@dataclass
class Result:
    findings: list[Finding] = field(default_factory=list)
    uncovered: list[Package] = field(default_factory=list)  # advisories exist, not extracted
    notes: list[str] = field(default_factory=list)


def audit_snapshot(snapshot: Snapshot, packages: Sequence[Package]) -> Result:
    result = Result()
    for ecosystem in ECOSYSTEMS:
        wanted = [p for p in packages if p.ecosystem == ecosystem]
        if not wanted or not snapshot.covers(ecosystem):
            continue
        extracted, indexed = snapshot.extracted(ecosystem), snapshot.indexed(ecosystem)
        for package in wanted:
            if package.key not in extracted:
                if package.key in indexed:
                    result.uncovered.append(package)
                continue
            reported: set[str] = set()
            for advisory in snapshot.advisories(ecosystem, package.key):
                finding = match(advisory, package)
                # One advisory published twice (a PYSEC and its GHSA) is reported once.
                if finding and not ({finding.advisory_id, *finding.aliases} & reported):
                    result.findings.append(finding)
                    reported |= {finding.advisory_id, *finding.aliases}
    return result


def _run(command: Sequence[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )


def live_python(packages: Sequence[Package]) -> tuple[list[Finding] | None, str]:
    """pip-audit on the exact pins, no resolution; None and why when it cannot answer."""
    if importlib.util.find_spec("pip_audit") is None:
        return None, "pip-audit is not installed in this interpreter"
    # A name may be pinned at two versions (constraints.txt and what is installed): one
    # requirements file per version, since a file may name a package only once.
    batches: list[list[Package]] = []
    for package in packages:
        batch = next((b for b in batches if all(p.key != package.key for p in b)), None)
        if batch is None:
            batch = []
            batches.append(batch)
        batch.append(package)
    findings = []
    for batch in batches:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as file:
            file.write("".join(f"{p.name}=={p.version}\n" for p in batch))
        try:
            done = _run(
                [
                    sys.executable,
                    "-m",
                    "pip_audit",
                    "-r",
                    file.name,
                    "--no-deps",
                    "--disable-pip",
                    "--progress-spinner",
                    "off",
                    "-f",
                    "json",
                ]
            )
        finally:
            os.unlink(file.name)
        try:
            report = json.loads(done.stdout)
        except ValueError:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return None, f"pip-audit exited {done.returncode}: {last}"
        # pip-audit exits 0 ("No known vulnerabilities found") when it could audit nothing
        # at all, so every skipped package makes the live answer unusable.
        skipped = [d for d in report.get("dependencies", []) if d.get("skip_reason")]
        if skipped:
            return None, (
                f"pip-audit could not audit {len(skipped)} of {len(batch)} packages "
                f"({skipped[0]['skip_reason']})"
            )
        by_key = {p.key: p for p in batch}
        for dependency in report.get("dependencies", []):
            pinned = by_key.get(normalize_name(PYPI, dependency["name"]))
            if pinned is None:
                continue
            for vuln in dependency.get("vulns", []):
                fixes = vuln.get("fix_versions") or []
                findings.append(
                    Finding(
                        pinned,
                        vuln["id"],
                        tuple(sorted(vuln.get("aliases") or [])),
                        min(fixes, key=lambda v: version_key(PYPI, v)) if fixes else None,
                        _summary({"details": vuln.get("description", "")}),
                        "pip-audit",
                    )
                )
    return findings, ""


def live_npm(packages: Sequence[Package]) -> tuple[list[Finding] | None, str]:
    """npm audit of a throw-away project depending on the exact vendored versions."""
    npm = shutil.which("npm")
    if npm is None:
        return None, "npm is not installed"
    if not packages:
        return [], ""
    with tempfile.TemporaryDirectory() as folder:
        manifest = {
            "name": "smartcity-graph-vendored",
            "version": "0.0.0",
            "private": True,
            "dependencies": {p.name: p.version for p in packages},
        }
        (Path(folder) / "package.json").write_text(json.dumps(manifest), encoding="utf-8")
        lock = _run(
            [npm, "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=Path(folder),
        )
        if lock.returncode != 0:
            last = (lock.stderr.strip().splitlines() or ["no output"])[-1]
            return None, f"npm install --package-lock-only failed: {last}"
        done = _run([npm, "audit", "--json"], cwd=Path(folder))
    try:
        report = json.loads(done.stdout)
    except ValueError:
        report = {}
    if "vulnerabilities" not in report:
        reason = str(report.get("message") or "").strip()
        errors = [ln for ln in done.stderr.splitlines() if "npm error" in ln or "warn" in ln]
        return None, f"npm audit failed: {reason or (errors or ['no output'])[-1]}"
    by_name = {p.name: p for p in packages}
    findings = []
    for name, entry in report["vulnerabilities"].items():
        vendored = by_name.get(name)
        if vendored is None:
            continue  # a dependency npm resolved, not a vendored version
        for via in entry.get("via", []):
            if isinstance(via, dict) and via.get("name") == name:
                url = str(via.get("url", ""))
                findings.append(
                    Finding(
                        vendored,
                        url.rsplit("/", 1)[-1] or str(via.get("source")),
                        (),
                        None,
                        f"{via.get('title', '')} (affected: {via.get('range', '?')})",
                        "npm audit",
                    )
                )
    return findings, ""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshot", type=Path, help="the advisory snapshot folder")
    parser.add_argument("--constraints", type=Path, default=ROOT / "constraints.txt")
    parser.add_argument("--npm-packages", type=Path, default=AUDIT / "npm-packages.txt")
    parser.add_argument("--ignore", type=Path, default=AUDIT / "ignore.txt")
    parser.add_argument(
        "--no-installed",
        action="store_true",
        help="audit only the pins, not what this interpreter has installed",
    )
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=dt.date.today(),
        help="the date ignore entries expire against (YYYY-MM-DD)",
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help="ask pip-audit and npm audit first; the snapshot where they fail",
    )
    parser.add_argument(
        "--require-snapshot", action="store_true", help="fail (exit 2) when no snapshot is found"
    )
    args = parser.parse_args(argv)
    try:
        return _audit(args)
    except AuditError as error:
        print(f"audit: {error}", file=sys.stderr)
        return 2


def _audit(args: argparse.Namespace) -> int:
    python = read_constraints(args.constraints)
    if not args.no_installed:
        python += installed_packages()
    packages = unique([*python, *read_npm_packages(args.npm_packages)])
    ignores = read_ignore(args.ignore)
    counts = {e: sum(1 for p in packages if p.ecosystem == e) for e in ECOSYSTEMS}

    location = find_snapshot(args.snapshot)
    snapshot = Snapshot.load(location) if location else None
    if snapshot is None and not args.live:
        where = ", ".join(str(p) for p in DEFAULT_SNAPSHOTS)
        message = (
            f"audit: no advisory snapshot (looked for ${SNAPSHOT_ENV}, {where}): "
            f"{counts[PYPI]} Python and {counts[NPM]} npm packages NOT audited; "
            "see audit/README.md"
        )
        print(message, file=sys.stderr if args.require_snapshot else sys.stdout)
        return 2 if args.require_snapshot else 0

    result = Result()
    answered: dict[str, str] = {}  # ecosystem -> what answered for it
    if args.live:
        for ecosystem, ask, tool in (
            (PYPI, live_python, "pip-audit"),
            (NPM, live_npm, "npm audit"),
        ):
            found, why = ask([p for p in packages if p.ecosystem == ecosystem])
            if found is not None:
                result.findings += found
                answered[ecosystem] = f"live {tool}"
            else:
                fallback = (
                    f"the snapshot of {snapshot.date(ecosystem)}"
                    if snapshot and snapshot.covers(ecosystem)
                    else f"nothing: no {ecosystem} advisories in the snapshot either"
                )
                print(f"audit: live {tool} unavailable: {why}; falling back to {fallback}")
    if snapshot is not None:
        rest = [p for p in packages if p.ecosystem not in answered]
        from_snapshot = audit_snapshot(snapshot, rest)
        result.findings += from_snapshot.findings
        result.uncovered += from_snapshot.uncovered
        for ecosystem in ECOSYSTEMS:
            if ecosystem not in answered and snapshot.covers(ecosystem):
                answered[ecosystem] = (
                    f"the snapshot of {snapshot.date(ecosystem)} ({snapshot.describe(ecosystem)})"
                )

    for ecosystem in ECOSYSTEMS:
        if counts[ecosystem] and ecosystem not in answered:
            print(
                f"audit: NOT AUDITED: {counts[ecosystem]} {ecosystem} packages: no "
                f"{ecosystem} advisories in the snapshot and no live answer "
                "(see audit/README.md)"
            )

    failing = 0
    for finding in sorted(result.findings, key=lambda f: (f.package.key, f.advisory_id)):
        entry = next((e for e in ignores if e.matches(finding)), None)
        if entry is not None and entry.expires >= args.today:
            print(
                f"ignored until {entry.expires} ({entry.where}: {entry.reason}): {finding.line()}"
            )
            continue
        if entry is not None:
            print(
                f"{finding.line()} [the ignore entry at {entry.where} expired on {entry.expires}]"
            )
        else:
            print(finding.line())
        failing += 1
    for package in result.uncovered:
        print(
            f"{package}: the snapshot was not extracted for {package.name}, which has "
            "advisories in its source: run audit/refresh.py (see audit/README.md)"
        )
        failing += 1
    for entry in ignores:
        if not any(entry.matches(f) for f in result.findings):
            print(
                f"audit: note: {entry.where}: {entry.advisory_id} for {entry.package} "
                "matches no finding any more; remove it"
            )

    audited = {e: counts[e] if e in answered else 0 for e in ECOSYSTEMS}
    against = "; ".join(f"{e}: {answered[e]}" for e in ECOSYSTEMS if e in answered)
    if failing:
        print(
            f"audit: FAILED: {failing} finding(s) in {audited[PYPI]} Python and "
            f"{audited[NPM]} npm packages ({against})"
        )
        return 1
    print(
        f"audit: audited {audited[PYPI]} Python and {audited[NPM]} npm packages against "
        f"{against or 'nothing'}: no known advisories"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
