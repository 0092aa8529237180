"""Removing a file that held personal data in the clear: overwrite its bytes, flush, then unlink.

What this can and cannot promise: on a plain hard disk the overwrite replaces the old sectors. On SSDs,
copy-on-write or journaling file systems and with snapshots, the old blocks may survive elsewhere; only
full-disk encryption covers those. That is why the plain store is wiped as well as we can here and the
deployment note asks for disk encryption too.
"""

from __future__ import annotations

import os
from pathlib import Path

CHUNK = 1 << 20


def overwrite_and_unlink(path: Path) -> bool:
    """Overwrite `path` with zeros then random bytes, fsync, unlink. False if it did not exist."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return False
    try:
        with path.open("r+b", buffering=0) as fh:
            for pattern in (b"\x00", None):
                fh.seek(0)
                left = size
                while left > 0:
                    n = min(CHUNK, left)
                    fh.write(pattern * n if pattern else os.urandom(n))
                    left -= n
                os.fsync(fh.fileno())
    except PermissionError:
        os.chmod(path, 0o600)
        return overwrite_and_unlink(path)
    path.unlink()
    return True
