"""TLS to head office: verified by default, custom CA bundle, public-key pinning checked on the connection,
plain http:// only to loopback. A real TLS server runs on 127.0.0.1 with certificates made here."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.sync.transport import (
    InsecureTransport,
    TransportSettings,
    check_server_url,
    client_options,
    parse_pin,
    pins_from,
    spki_sha256,
    tls_refusal,
)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@dataclass
class Pki:
    ca_pem: Path
    cert_pem: Path
    key_pem: Path
    server_pin: str
    other_pin: str


def make_pki(folder: Path) -> Pki:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("Doorstep Test CA")).issuer_name(_name("Doorstep Test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("localhost")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_pem, cert_pem, key_pem = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    pin = base64.b64encode(spki_sha256(cert.public_bytes(serialization.Encoding.DER))).decode()
    other = hashlib.sha256(ca_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).hexdigest()
    return Pki(ca_pem, cert_pem, key_pem, pin, other)


class Recorder(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self) -> None:
        Recorder.seen.append(self.headers.get("Authorization", ""))
        body = b'{"status":"ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Pki]]:
    pki = make_pki(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki.cert_pem, pki.key_pem)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    Recorder.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", pki
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def get(url: str, settings: TransportSettings) -> httpx.Response:
    with httpx.Client(timeout=10, **client_options(url, settings)) as client:
        return client.get("/api/v1/health", headers={"Authorization": "Bearer secret-token"})


def test_verified_with_the_company_ca_bundle(tls_server: tuple[str, Pki]) -> None:
    url, pki = tls_server
    assert get(url, TransportSettings(ca_bundle=pki.ca_pem)).json() == {"status": "ok"}


def test_unknown_ca_is_refused_by_default(tls_server: tuple[str, Pki]) -> None:
    url, _ = tls_server
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED") as info:
        get(url, TransportSettings())
    assert Recorder.seen == []
    assert "certificate is not trusted" in (tls_refusal(info.value) or "")


def test_matching_pin_connects(tls_server: tuple[str, Pki]) -> None:
    url, pki = tls_server
    assert get(url, TransportSettings(ca_bundle=pki.ca_pem, pins=(pki.other_pin, pki.server_pin))).status_code == 200
    assert Recorder.seen == ["Bearer secret-token"]


def test_wrong_pin_fails_before_the_request_is_sent(tls_server: tuple[str, Pki]) -> None:
    url, pki = tls_server
    with pytest.raises(httpx.ConnectError, match="pinned") as info:
        get(url, TransportSettings(ca_bundle=pki.ca_pem, pins=(pki.other_pin,)))
    assert Recorder.seen == []  # the token never left
    assert "does not match the pinned key" in (tls_refusal(info.value) or "")
    assert tls_refusal(httpx.ConnectError("connection refused")) is None


def test_plain_http_only_to_loopback() -> None:
    for ok in ("http://127.0.0.1:8000", "http://localhost:8000/", "http://[::1]:8000", "https://ho.example.cn",
               "http://127.5.0.1"):
        assert check_server_url(ok) == ok
    for bad in ("http://ho.example.cn", "http://127.0.0.1.evil.example", "http://10.0.0.1", "ftp://ho.example",
                "ho.example.cn", "https://", "javascript:alert(1)", "http://localhost.evil.example"):
        with pytest.raises(InsecureTransport):
            check_server_url(bad)
    with pytest.raises(InsecureTransport):
        check_server_url("http://127.0.0.1", TransportSettings(allow_loopback_http=False))


def test_pins_are_checked_when_configured(tmp_path: Path) -> None:
    assert len(parse_pin("sha256/" + base64.b64encode(b"\x01" * 32).decode())) == 32
    assert len(parse_pin("ab" * 32)) == 32
    for bad in ("", "not base64!", base64.b64encode(b"short").decode(), "zz" * 32):
        with pytest.raises(InsecureTransport):
            parse_pin(bad)
    assert pins_from(["", "  ", "ab" * 32]) == ("ab" * 32,)
    (tmp_path / "bad.pem").write_text("not a certificate")
    with pytest.raises(InsecureTransport, match="CA bundle"):
        client_options("https://ho.example", TransportSettings(ca_bundle=tmp_path / "bad.pem"))


def test_sync_client_refuses_plain_http_and_stops_at_a_bad_pin(tls_server: tuple[str, Pki]) -> None:
    import time

    from app.sync.client import HeadOfficeClient
    from app.sync.errors import UntrustedServer
    from app.sync.retry import RetryPolicy

    with pytest.raises(UntrustedServer, match="https"):
        HeadOfficeClient("http://ho.example.cn", "0" * 8 + "-0000-0000-0000-" + "0" * 12)
    url, pki = tls_server
    device = "12345678-1234-1234-1234-123456789012"
    client = HeadOfficeClient(url, device, retry=RetryPolicy(budget=30),
                              tls=TransportSettings(ca_bundle=pki.ca_pem, pins=(pki.other_pin,)))
    started = time.monotonic()
    try:
        with pytest.raises(UntrustedServer, match="pinned key"):
            client.health()
    finally:
        client.close()
    assert time.monotonic() - started < 10  # not retried for the 30 s budget: an interception is not an outage
    assert Recorder.seen == []
    trusted = HeadOfficeClient(url, device, tls=TransportSettings(ca_bundle=pki.ca_pem, pins=(pki.server_pin,)))
    try:
        with pytest.raises(Exception) as info:  # the test server is no head office: any answer but a TLS refusal
            trusted.health()
        assert not isinstance(info.value, UntrustedServer)
    finally:
        trusted.close()
    assert Recorder.seen == [""]
