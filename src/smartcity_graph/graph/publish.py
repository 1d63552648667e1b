"""The only writer of a release. Atomic: a temporary sibling directory, then one exchange.

The files are written and fsynced into a temporary sibling, ``.{name}.tmp-{pid}``. Then
the new release takes the old one's place in one step: on Linux, ``renameat2`` with
``RENAME_EXCHANGE`` swaps the two directories atomically, so at every instant the release
directory is either the whole previous release or the whole new one, whatever kills the
build (SIGKILL, power loss). The old release, now in the temporary's place, is removed.

Where the kernel or the file system cannot exchange, the swap is two renames (old ->
``.{name}.old-{pid}``, new -> final), with a roll-back if the second fails; a build killed
between the two leaves the old release under the backup name, and the next build (or
``recover``) puts it back before anything else.

Siblings left by a build that was killed (a temporary, a backup) never break a later one:
:func:`recover` removes them, or restores the backup, whenever their process is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import re
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from .. import formats
from ..errors import PublishError
from .serialize import dump_json

MANIFEST = "manifest.json"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


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
        recover(out)
        shutil.rmtree(temporary, ignore_errors=True)
        temporary.mkdir()
        everything = {**files, MANIFEST: manifest(files, release)}
        for name, content in sorted(everything.items()):
            path = temporary / name
            with path.open("wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
        _fsync_directory(temporary)
        _swap(temporary, out, backup)
        _fsync_directory(parent)
    except OSError as exc:
        raise PublishError(
            f"could not publish to {out}: {exc}; previous release untouched"
        ) from exc
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
        shutil.rmtree(backup, ignore_errors=True)
    return out


def recover(out: Path) -> None:
    """Tidy what killed builds left beside the release *out*: put back a release that a
    two-rename swap had moved aside, and remove temporaries and backups whose process is
    gone. Those of a build still running are left alone."""
    out = out.resolve()
    if not out.parent.is_dir():
        return
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(tmp|old)-(\d+)$")
    leftovers = sorted(
        (match.group(1), int(match.group(2)), path)
        for path in out.parent.iterdir()
        if (match := pattern.match(path.name))
    )
    for kind, pid, path in leftovers:
        if _alive(pid):
            continue
        if kind == "old" and not out.exists():
            # A whole release (a backup is made by one rename of one, and removed only once
            # the new release is in place): the only copy there is, so it goes back.
            with contextlib.suppress(OSError):
                path.rename(out)
            continue
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a leftover of an earlier process that had this pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _swap(new: Path, out: Path, backup: Path) -> None:
    """Put the directory *new* in the place of *out*; *new* then holds the old release."""
    if not out.exists():
        new.rename(out)
        return
    if _exchange(new, out):
        return
    out.rename(backup)
    try:
        new.rename(out)
    except OSError:
        backup.rename(out)
        raise


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where
    the system or the file system cannot, so that the caller falls back to two renames."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:  # glibc before 2.28
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE):
        code = ctypes.get_errno()
        if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
            return False
        raise OSError(code, os.strerror(code), str(second))
    return True


def _fsync_directory(path: Path) -> None:
    """Make the directory's entries durable (a rename is only as durable as its parent)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
