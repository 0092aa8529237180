"""The SQLCipher settings a Doorstep store can be encrypted with, by the name its key file records.

The app hands SQLCipher a raw 256-bit key (see app.store.crypto), so these settings are all that decides
the file's format. They are pinned, so a future SQLCipher default cannot make a store unreadable, and
named in the key file, so a store keeps the settings it was made with.

* `sqlcipher4-raw-key` — SQLCipher 4's defaults: AES-256-CBC, HMAC-SHA512 per 4 KiB page. Stores
  encrypted before 0003 use it, and open with it.
* `sqlcipher4-raw-key-sha256` — the same with HMAC-SHA256 (SQLCipher's own option). Both give each page a
  full-length tag under a 256-bit key; SHA-256 runs in the SHA extensions of today's x86 and ARM
  processors at about twice the speed of SHA-512, and every page a save writes is authenticated, and
  every page read from the file is checked. Stores encrypted before the 2 KiB pages use it, and keep it.
* `sqlcipher4-raw-key-sha256-2k` — the same on 2 KiB pages. New stores use it. A save rewrites some
  twenty B-tree pages whole (the case, its list index entry, the event, its outbox row, the attempt, the
  audit entry, and their indexes), and SQLCipher encrypts and authenticates each of them at COMMIT:
  measured here, ~11 µs per 4 KiB page and ~7 µs per 2 KiB page (AES-256-CBC is chained, so its cost
  follows the bytes). The smaller pages cost a save a few more page splits, and cost the list and the
  search nothing measurable, since the encrypted store's page cache holds what they read. Same cipher,
  same tag length, same key: only the unit of encryption is smaller.
"""

from __future__ import annotations

LEGACY = "sqlcipher4-raw-key"
SHA256_4K = "sqlcipher4-raw-key-sha256"
DEFAULT = "sqlcipher4-raw-key-sha256-2k"

_V4 = "PRAGMA cipher_compatibility = 4"
_KDF = "PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA512"  # unused with a raw key; pinned all the same
SETTINGS: dict[str, tuple[str, ...]] = {
    LEGACY: (_V4, "PRAGMA cipher_page_size = 4096", "PRAGMA cipher_hmac_algorithm = HMAC_SHA512", _KDF),
    SHA256_4K: (_V4, "PRAGMA cipher_page_size = 4096", "PRAGMA cipher_hmac_algorithm = HMAC_SHA256", _KDF),
    DEFAULT: (_V4, "PRAGMA cipher_page_size = 2048", "PRAGMA cipher_hmac_algorithm = HMAC_SHA256", _KDF),
}


def settings(name: str) -> tuple[str, ...]:
    """The pragmas of a named cipher; ValueError for a name this app does not know."""
    try:
        return SETTINGS[name]
    except KeyError:
        raise ValueError(f"unknown store cipher {name!r}") from None
