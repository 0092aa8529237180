"""The SQLCipher settings a Doorstep store can be encrypted with, by the name its key file records.

The app hands SQLCipher a raw 256-bit key (see app.store.crypto), so these settings are all that decides
the file's format. They are pinned, so a future SQLCipher default cannot make a store unreadable, and
named in the key file, so a store keeps the settings it was made with.

* `sqlcipher4-raw-key` — SQLCipher 4's defaults: AES-256-CBC, HMAC-SHA512 per 4 KiB page. Stores
  encrypted before 0003 use it, and open with it.
* `sqlcipher4-raw-key-sha256` — the same with HMAC-SHA256 (SQLCipher's own option). Both give each page a
  full-length tag under a 256-bit key; SHA-256 runs in the SHA extensions of today's x86 and ARM
  processors at about twice the speed of SHA-512, and every page a save writes is authenticated, and
  every page read from the file is checked. New stores use it.
"""

from __future__ import annotations

LEGACY = "sqlcipher4-raw-key"
DEFAULT = "sqlcipher4-raw-key-sha256"

_COMMON = ("PRAGMA cipher_compatibility = 4", "PRAGMA cipher_page_size = 4096")
SETTINGS: dict[str, tuple[str, ...]] = {
    LEGACY: (*_COMMON, "PRAGMA cipher_hmac_algorithm = HMAC_SHA512",
             "PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA512"),
    DEFAULT: (*_COMMON, "PRAGMA cipher_hmac_algorithm = HMAC_SHA256",
              "PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA512"),
}


def settings(name: str) -> tuple[str, ...]:
    """The pragmas of a named cipher; ValueError for a name this app does not know."""
    try:
        return SETTINGS[name]
    except KeyError:
        raise ValueError(f"unknown store cipher {name!r}") from None
