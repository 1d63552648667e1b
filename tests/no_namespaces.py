"""Run a command where no process may create a namespace, as in a container whose seccomp
profile forbids it (Docker's default profile does, for unprivileged containers).

    python tests/no_namespaces.py COMMAND [ARG ...]

A seccomp filter (the kernel's own system-call filter, inherited by every child and kept
across ``exec``) makes ``unshare(2)``, ``setns(2)`` and ``clone(2)`` with a namespace flag
fail with EPERM, and ``clone3(2)`` with ENOSYS (so that the C library falls back to
``clone``, which the filter can inspect), then the command runs. Nothing in the program
under test is told: it meets the kernel's refusal as it would in such a container.

x86_64 and aarch64 only (the system call numbers differ by architecture).
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
import sys

#: System call numbers: unshare, setns, clone, clone3.
SYSCALLS = {
    "x86_64": (0xC000003E, 272, 308, 56, 435),
    "aarch64": (0xC00000B7, 97, 268, 220, 435),
}
NAMESPACE_FLAGS = 0x7E020000  # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
ALLOW = 0x7FFF0000
ERRNO = 0x00050000
EPERM, ENOSYS = 1, 38
# Classic BPF opcodes.
LOAD_WORD = 0x20  # BPF_LD | BPF_W | BPF_ABS
JUMP_EQUAL = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
JUMP_ANY_BIT = 0x45  # BPF_JMP | BPF_JSET | BPF_K
RETURN = 0x06  # BPF_RET | BPF_K
# Offsets in struct seccomp_data: nr, arch, instruction pointer, args[6].
NR, ARCH, ARG0 = 0, 4, 16


def supported() -> bool:
    return sys.platform.startswith("linux") and platform.machine() in SYSCALLS


def _instruction(code: int, true: int, false: int, value: int) -> bytes:
    return struct.pack("HBBI", code, true, false, value)


def program() -> bytes:
    arch, unshare, setns, clone, clone3 = SYSCALLS[platform.machine()]
    return b"".join(
        [
            _instruction(LOAD_WORD, 0, 0, ARCH),
            _instruction(JUMP_EQUAL, 1, 0, arch),
            _instruction(RETURN, 0, 0, ALLOW),  # another ABI: not ours to judge
            _instruction(LOAD_WORD, 0, 0, NR),
            _instruction(JUMP_EQUAL, 6, 0, unshare),
            _instruction(JUMP_EQUAL, 5, 0, setns),
            _instruction(JUMP_EQUAL, 6, 0, clone3),
            _instruction(JUMP_EQUAL, 1, 0, clone),
            _instruction(RETURN, 0, 0, ALLOW),
            _instruction(LOAD_WORD, 0, 0, ARG0),  # clone's flags (their low 32 bits)
            _instruction(JUMP_ANY_BIT, 0, 1, NAMESPACE_FLAGS),
            _instruction(RETURN, 0, 0, ERRNO | EPERM),
            _instruction(RETURN, 0, 0, ALLOW),
            _instruction(RETURN, 0, 0, ERRNO | ENOSYS),
        ]
    )


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def forbid_namespaces() -> None:
    """Install the filter on this process (and so on everything it starts from now on)."""
    libc = ctypes.CDLL(None, use_errno=True)
    code = program()
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = _SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_char_p))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")


if __name__ == "__main__":
    forbid_namespaces()
    os.execvp(sys.argv[1], sys.argv[1:])  # noqa: S606 - the command line given, as given
