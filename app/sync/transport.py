"""How the sync client talks to head office: TLS verified, optional CA bundle and public-key pins.

`TransportSettings` is what the settings dialog and the CLI fill in; `ssl_context(settings)` builds the
context the httpx client verifies with, and `check_server_url` refuses plain http:// except to a loopback
address (a head office running on the same machine, as in tests and demos).

Pinning: each pin is the base64 or hex SHA-256 of a certificate's SubjectPublicKeyInfo (what
`openssl x509 -pubkey | openssl pkey -pubin -outform der | openssl dgst -sha256` prints). It is checked on
the connection itself, right after the TLS handshake and before any byte of a request (with its token)
is sent; with pins set, the server's leaf key must match one of them, in addition to normal verification.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class InsecureTransport(ValueError):
    """The server address or TLS settings would expose the data; the message says why."""


class PinMismatch(ssl.SSLCertVerificationError):
    """The server's public key is none of the pinned ones."""


@dataclass(frozen=True)
class TransportSettings:
    ca_bundle: Path | None = None  # PEM file of extra trusted CAs (e.g. the company's own); None: system store
    pins: tuple[str, ...] = field(default_factory=tuple)  # SHA-256 of SPKI, base64 or hex
    allow_loopback_http: bool = True


def spki_sha256(der_certificate: bytes) -> bytes:
    from cryptography import x509  # here: the launch imports this module, and x509 takes ~30 ms to load
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    cert = x509.load_der_x509_certificate(der_certificate)
    spki = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).digest()


def parse_pin(pin: str) -> bytes:
    text = pin.strip().removeprefix("sha256/")
    try:
        if len(text) == 64:
            raw = bytes.fromhex(text)
        else:
            raw = base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise InsecureTransport(f"the pin {pin[:20]!r}… is not a SHA-256 in base64 or hex") from exc
    if len(raw) != 32:
        raise InsecureTransport(f"the pin {pin[:20]!r}… is not a SHA-256 (32 bytes)")
    return raw


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_server_url(url: str, settings: TransportSettings | None = None) -> str:
    """The URL, if it is https:// (or http:// to loopback); raises InsecureTransport otherwise."""
    settings = settings or TransportSettings()
    parts = urlsplit(url.strip())
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname:
        if settings.allow_loopback_http and is_loopback(parts.hostname):
            return url
        raise InsecureTransport(f"plain http:// to {parts.hostname} is refused: use https:// "
                                "(only a head office on this machine may use http://)")
    raise InsecureTransport("the head-office address must start with https://")


def _pinned_classes(pins: frozenset[bytes]) -> tuple[type[ssl.SSLSocket], type[ssl.SSLObject]]:
    def check(peer_der: bytes | None) -> None:
        if peer_der is None or spki_sha256(peer_der) not in pins:
            raise PinMismatch("the server's public key does not match the pinned key")

    class PinnedSocket(ssl.SSLSocket):
        def do_handshake(self, block: bool = False) -> None:
            super().do_handshake(block)
            check(self.getpeercert(binary_form=True))

    class PinnedObject(ssl.SSLObject):
        def do_handshake(self) -> None:
            super().do_handshake()
            check(self.getpeercert(binary_form=True))

    return PinnedSocket, PinnedObject


def ssl_context(settings: TransportSettings | None = None) -> ssl.SSLContext:
    """A client context: certificate and host name verified, TLS 1.2 or later, pins checked if set."""
    settings = settings or TransportSettings()
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if settings.ca_bundle is not None:
        try:
            ctx.load_verify_locations(cafile=str(settings.ca_bundle))
        except (OSError, ssl.SSLError) as exc:
            raise InsecureTransport(f"cannot use the CA bundle {settings.ca_bundle.name}: {exc}") from exc
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    if settings.pins:
        pins = frozenset(parse_pin(p) for p in settings.pins)
        ctx.sslsocket_class, ctx.sslobject_class = _pinned_classes(pins)
    return ctx


def client_options(server: str, settings: TransportSettings | None = None) -> dict[str, Any]:
    """Keyword arguments for httpx.Client: base_url checked, verify set to the pinned context."""
    settings = settings or TransportSettings()
    return {"base_url": check_server_url(server, settings), "verify": ssl_context(settings)}


def pins_from(values: Iterable[str]) -> tuple[str, ...]:
    """Pins from a settings list (blank entries dropped), each checked."""
    out = tuple(v.strip() for v in values if v and v.strip())
    for p in out:
        parse_pin(p)
    return out


def tls_refusal(exc: BaseException) -> str | None:
    """If a transport error was a failed certificate check or pin, why (in words); else None.

    Such a failure is not transient: retrying cannot help and must not look like "head office is down"."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, PinMismatch):
            return "head office's public key does not match the pinned key (possible interception); nothing was sent"
        if isinstance(cur, ssl.SSLCertVerificationError):
            detail = getattr(cur, "verify_message", "") or "certificate verification failed"
            return f"head office's certificate is not trusted ({detail}); nothing was sent"
        cur = cur.__cause__ or cur.__context__
    return None
