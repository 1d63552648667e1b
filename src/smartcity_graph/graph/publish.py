"""The only writer of a release. Atomic: a temporary sibling directory, then a rename.

If anything fails before the final rename, the previous release is untouched
and the temporary directory is removed. The swap itself is two renames
(old -> backup, new -> final) with a roll-back if the second one fails.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from .. import formats
from ..errors import PublishError
from .serialize import dump_json

MANIFEST = "manifest.json"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def manifest(files: Mapping[str, bytes], release: Mapping[str, str]) -> bytes:
    """``manifest.json``: every file with media type, byte size and sha256."""
    entries = [
        {
            "path": name,
            "mediaType": formats.for_filename(name),
            "bytes": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
        }
        for name, content in sorted(files.items())
    ]
    return dump_json({"release": dict(release), "files": entries})


def publish(files: Mapping[str, bytes], out: Path, release: Mapping[str, str]) -> Path:
    """Write *files* plus ``manifest.json`` to *out*, replacing any previous release atomically."""
    for name in files:
        if not _NAME.match(name) or name == MANIFEST:
            raise PublishError(f"refusing to publish a file named {name!r}")
    out = out.resolve()
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    temporary = parent / f".{out.name}.tmp-{os.getpid()}"
    backup = parent / f".{out.name}.old-{os.getpid()}"
    try:
        shutil.rmtree(temporary, ignore_errors=True)
        temporary.mkdir()
        everything = {**files, MANIFEST: manifest(files, release)}
        for name, content in sorted(everything.items()):
            path = temporary / name
            with path.open("wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
        _swap(temporary, out, backup)
    except OSError as exc:
        raise PublishError(
            f"could not publish to {out}: {exc}; previous release untouched"
        ) from exc
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
        shutil.rmtree(backup, ignore_errors=True)
    return out


def _swap(new: Path, out: Path, backup: Path) -> None:
    if not out.exists():
        new.rename(out)
        return
    out.rename(backup)
    try:
        new.rename(out)
    except OSError:
        backup.rename(out)
        raise
