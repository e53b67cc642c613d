"""A small file system mounted for a drill (a tmpfs of a few MB), to fill it up."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path


class MountUnavailable(RuntimeError):
    pass


@contextlib.contextmanager
def small_tmpfs(where: Path, size_kb: int) -> Iterator[Path]:
    """Mount a tmpfs of `size_kb` on `where` (needs root and mount rights), unmounted after."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        raise MountUnavailable("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700",
                           "tmpfs", str(where)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise MountUnavailable(f"mount -t tmpfs failed: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def fill(folder: Path) -> Path:
    """Write zeros into `folder` until its file system is full; the filler file."""
    filler = folder / "filler.bin"
    block = b"\0" * 4096
    # Unbuffered: the write that finds the disk full raises here, not at close.
    with open(filler, "wb", buffering=0) as out, contextlib.suppress(OSError):
        while out.write(block):
            pass
    return filler
