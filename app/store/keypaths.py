"""Where an encrypted store's key file lives, and whether a store is encrypted: file names only, so the
launch can tell a plain store from an encrypted one without loading the cipher and KDF libraries."""

from __future__ import annotations

from pathlib import Path

SUFFIX = ".keyinfo"
PENDING_SUFFIX = ".keyinfo-pending"


def keyinfo_path(store_file: Path) -> Path:
    return store_file.with_name(store_file.name + SUFFIX)


def pending_path(store_file: Path) -> Path:
    return store_file.with_name(store_file.name + PENDING_SUFFIX)


def is_encrypted_store(store_file: Path) -> bool:
    return keyinfo_path(store_file).exists() or pending_path(store_file).exists()
