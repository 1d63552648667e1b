"""Re-extract the advisory snapshot that audit/check.py reads, from local git mirrors.

    .venv/bin/python audit/refresh.py --pypa PATH [--github PATH] [--out audit/advisories]

PATH is a clone or a bare mirror of

- `--pypa`: https://github.com/pypa/advisory-database (OSV YAML, `vulns/<package>/*.yaml`:
  PyPI advisories with PYSEC ids);
- `--github`: https://github.com/github/advisory-database (OSV JSON,
  `advisories/github-reviewed/YYYY/MM/<GHSA>/<GHSA>.json`: npm and PyPI among others).

Only the advisories of the packages this project uses are kept: every name in
constraints.txt, every distribution installed in the interpreter running this script
(run it with .venv/bin/python) and every package in audit/npm-packages.txt. Each is
written as OSV JSON, unchanged but for the YAML-to-JSON conversion, to
`OUT/<pypi|npm>/<package>/<ID>.json`. Beside them go an index of every package name that
has an advisory in the sources (so the audit can tell a package with no advisories from
one the snapshot was not extracted for), SNAPSHOT.json (the sources, their commits and
dates, the licence) and a README.md. Same mirrors and same packages give the same bytes.

Needs git and PyYAML (a dependency of the project); check.py needs neither.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check  # the sibling module, through the line above

PYPA = "https://github.com/pypa/advisory-database"
GITHUB = "https://github.com/github/advisory-database"


@dataclass
class Source:
    url: str
    git_dir: Path
    rev: str
    prefix: str  # the folder holding the advisories
    suffix: str  # ".yaml" or ".json"
    licence_file: str
    licence_marks: tuple[str, ...]  # text the licence file must contain to be CC-BY 4.0
    commit: str = ""
    commit_date: str = ""

    def git(self, *args: str, stdin: bytes | None = None) -> bytes:
        done = subprocess.run(
            ["git", f"--git-dir={self.git_dir}", *args],
            input=stdin,
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"git {' '.join(args)}: {done.stderr.decode(errors='replace')}")
        return done.stdout

    def open(self) -> None:
        out = self.git("log", "-1", "--format=%H%n%cI", self.rev).decode().split()
        self.commit, self.commit_date = out[0], out[1]
        licence = self.git("show", f"{self.commit}:{self.licence_file}").decode()
        if not any(mark in licence for mark in self.licence_marks):
            raise SystemExit(
                f"{self.url}: {self.licence_file} no longer says CC-BY 4.0; review the "
                "licence before refreshing"
            )

    def files(self) -> Iterator[tuple[str, bytes]]:
        """(path, content) of every advisory file at the commit, in path order."""
        names = self.git("ls-tree", "-r", "--name-only", self.commit, "--", self.prefix)
        paths = sorted(p for p in names.decode().splitlines() if p.endswith(self.suffix))
        batch = self.git(
            "cat-file", "--batch", stdin="".join(f"{self.commit}:{p}\n" for p in paths).encode()
        )
        at = 0
        for path in paths:
            header_end = batch.index(b"\n", at)
            size = int(batch[at:header_end].split()[2])
            yield path, batch[header_end + 1 : header_end + 1 + size]
            at = header_end + 1 + size + 1


def git_dir(path: Path) -> Path:
    return path / ".git" if (path / ".git").exists() else path


def plain(value: Any) -> Any:
    """YAML's dates and timestamps as the ISO strings OSV JSON has."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime):
        text = value.isoformat()
        return text.replace("+00:00", "Z") if value.tzinfo else text + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass
class Extract:
    wanted: dict[str, set[str]]  # ecosystem -> normalized names
    sources: dict[str, list[Source]] = field(default_factory=dict)
    index: dict[str, set[str]] = field(default_factory=dict)
    advisories: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)

    def read(self, source: Source, ecosystems: tuple[str, ...]) -> int:
        source.open()
        total = 0
        for path, content in source.files():
            text = content.decode("utf-8")
            advisory = plain(yaml.safe_load(text) if source.suffix == ".yaml" else json.loads(text))
            if not isinstance(advisory, dict) or "id" not in advisory:
                raise SystemExit(f"{source.url}: {path}: not an OSV advisory")
            total += 1
            for affected in advisory.get("affected") or []:
                package = affected.get("package") or {}
                ecosystem = package.get("ecosystem")
                if ecosystem not in ecosystems or not package.get("name"):
                    continue
                name = check.normalize_name(ecosystem, str(package["name"]))
                self.index.setdefault(ecosystem, set()).add(name)
                if name in self.wanted[ecosystem]:
                    self.advisories[(ecosystem, name, str(advisory["id"]))] = advisory
        for ecosystem in ecosystems:
            self.sources.setdefault(ecosystem, []).append(source)
        return total

    def write(self, out: Path, extracted_on: str, totals: dict[str, int]) -> None:
        for folder in (*check.ECOSYSTEM_DIRS.values(), check.SNAPSHOT_MANIFEST, "README.md"):
            target = out / folder
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
        for (ecosystem, name, advisory_id), advisory in sorted(self.advisories.items()):
            path = (
                out
                / check.ECOSYSTEM_DIRS[ecosystem]
                / check.package_dir(ecosystem, name)
                / f"{advisory_id}.json"
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                json.dumps(advisory, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
        manifest: dict[str, Any] = {"format": 1, "extracted_on": extracted_on, "ecosystems": {}}
        for ecosystem, sources in sorted(self.sources.items()):
            index = f"{check.ECOSYSTEM_DIRS[ecosystem]}/INDEX.txt"
            (out / index).parent.mkdir(parents=True, exist_ok=True)
            (out / index).write_text(
                "".join(f"{n}\n" for n in sorted(self.index.get(ecosystem, set()))),
                encoding="utf-8",
            )
            manifest["ecosystems"][ecosystem] = {
                "sources": [
                    {
                        "repository": s.url,
                        "commit": s.commit,
                        "commit_date": s.commit_date,
                        "path": s.prefix,
                        "licence": "CC-BY-4.0",
                        "advisories_in_source": totals[s.url],
                    }
                    for s in sources
                ],
                "extracted": sorted(self.wanted[ecosystem]),
                "advisories": sum(1 for key in self.advisories if key[0] == ecosystem),
                "index": index,
            }
        (out / check.SNAPSHOT_MANIFEST).write_text(
            json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        (out / "README.md").write_text(readme(manifest), encoding="utf-8")


def readme(manifest: dict[str, Any]) -> str:
    lines = [
        "# Advisory snapshot (generated by audit/refresh.py; do not edit)",
        "",
        "Security advisories in OSV JSON for the packages smartcity-graph uses, read by",
        "`audit/check.py`. Extracted on " + manifest["extracted_on"] + " from:",
        "",
        "| ecosystem | repository | commit | commit date | advisories there | kept |",
        "|---|---|---|---|---|---|",
    ]
    for ecosystem, entry in manifest["ecosystems"].items():
        for source in entry["sources"]:
            lines.append(
                f"| {ecosystem} | {source['repository']} | `{source['commit']}` | "
                f"{source['commit_date']} | {source['advisories_in_source']} | "
                f"{entry['advisories']} |"
            )
    lines += [
        "",
        "Licence: the advisories are the work of the contributors to those repositories and",
        "are licensed under the Creative Commons Attribution 4.0 International licence",
        "(CC-BY-4.0, https://creativecommons.org/licenses/by/4.0/), as each repository's",
        "licence file says. Changes made here: only the advisories of the packages listed in",
        "SNAPSHOT.json (`extracted`) are kept, and YAML is converted to JSON; their content",
        "is unchanged. `*/INDEX.txt` lists every package with an advisory in the sources.",
        "",
        "To refresh: `.venv/bin/python audit/refresh.py --pypa MIRROR [--github MIRROR]`",
        "(see audit/README.md).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pypa", type=Path, help="a clone or mirror of pypa/advisory-database")
    parser.add_argument("--github", type=Path, help="a clone or mirror of github/advisory-database")
    parser.add_argument("--rev", default="HEAD", help="the commit to read in each (HEAD)")
    parser.add_argument("--out", type=Path, default=check.AUDIT / "advisories")
    parser.add_argument("--constraints", type=Path, default=check.ROOT / "constraints.txt")
    parser.add_argument("--npm-packages", type=Path, default=check.AUDIT / "npm-packages.txt")
    parser.add_argument(
        "--no-installed",
        action="store_true",
        help="extract for the pins only, not what this interpreter has",
    )
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        metavar="NAME",
        help="also extract for this PyPI package (repeatable)",
    )
    parser.add_argument(
        "--date",
        default=dt.date.today().isoformat(),
        help="the extraction date to record (YYYY-MM-DD)",
    )
    args = parser.parse_args(argv)
    if not args.pypa and not args.github:
        parser.error("give --pypa, --github or both")

    python = check.read_constraints(args.constraints)
    if not args.no_installed:
        python += check.installed_packages()
    wanted = {
        check.PYPI: {p.key for p in python}
        | {check.normalize_name(check.PYPI, n) for n in args.python},
        check.NPM: {p.key for p in check.read_npm_packages(args.npm_packages)},
    }
    extract = Extract(wanted)
    totals = {}
    if args.pypa:
        source = Source(
            PYPA,
            git_dir(args.pypa),
            args.rev,
            "vulns",
            ".yaml",
            "LICENSE",
            ("Attribution 4.0 International",),
        )
        totals[PYPA] = extract.read(source, (check.PYPI,))
    if args.github:
        source = Source(
            GITHUB,
            git_dir(args.github),
            args.rev,
            "advisories/github-reviewed",
            ".json",
            "README.md",
            ("CC-BY 4.0",),
        )
        totals[GITHUB] = extract.read(source, (check.PYPI, check.NPM))
    args.out.mkdir(parents=True, exist_ok=True)
    extract.write(args.out, args.date, totals)
    for ecosystem, entry in sorted(extract.sources.items()):
        kept = sum(1 for key in extract.advisories if key[0] == ecosystem)
        names = len({key[1] for key in extract.advisories if key[0] == ecosystem})
        print(
            f"{ecosystem}: {kept} advisories of {names} of our {len(wanted[ecosystem])} "
            f"packages, from {', '.join(f'{s.url}@{s.commit[:12]}' for s in entry)}"
        )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
