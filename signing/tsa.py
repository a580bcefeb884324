"""Timestamps (RFC 3161): the client signing uses, and a development timestamp authority.

:func:`timestamper_for` is the process-wide client for a TSA URL. :func:`dev_tsa` serves
timestamps on 127.0.0.1, certified by the development intermediate CA, for tests and benchmarks
of PAdES B-T/B-LT: no network, no outside TSA. Never for real records.
"""
from __future__ import annotations

import datetime as dt
import functools
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import aiohttp
import certifi
from asn1crypto import cms, core, keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign import general, timestamps
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from signing.pki import CRL_BASE_URL

__all__ = ["dev_timestamper", "dev_tsa", "simple_cms_attribute", "timestamper_for"]

# pyHanko's helper is unannotated; this typed name keeps mypy strict where it is used.
simple_cms_attribute: Callable[[str, object], cms.CMSAttribute] = general.simple_cms_attribute

_timestampers: dict[str, _TimeStamper] = {}
_lock = threading.Lock()


def timestamper_for(url: str) -> timestamps.HTTPTimeStamper:
    """One timestamp client per URL for the whole process.

    A client remembers the size of a timestamp token, so reusing it saves one request to the
    timestamp authority per signature (pyHanko otherwise asks for a dummy token to size the
    signature container).
    """
    with _lock:
        stamper = _timestampers.get(url)
        if stamper is None:
            stamper = _timestampers[url] = _TimeStamper(url, timeout=10)
        return stamper


class _TimeStamper(timestamps.HTTPTimeStamper):
    """pyHanko's RFC 3161 client, with the TLS trust store loaded once per process.

    pyHanko opens a new aiohttp session for each request (a session belongs to one event loop
    and every signature runs its own), and each new session used to load the system CA file
    again: about 25 ms per timestamp, more than the request itself.
    """

    async def async_request_tsa_response(self, req: Any) -> Any:
        connector = aiohttp.TCPConnector(ssl=_tls_context())
        try:
            async with (
                aiohttp.ClientSession(connector=connector) as session,
                session.post(
                    self.url, headers=await self.async_request_headers(), data=req.dump(),
                    auth=self.auth, raise_for_status=True,
                    timeout=aiohttp.ClientTimeout(total=self.timeout),
                ) as response,
            ):
                body = await response.read()
                content_type = response.headers.get("Content-Type")
        except (aiohttp.ClientError, OSError) as exc:
            raise TimestampRequestError("Error while contacting timestamp service") from exc
        if content_type != "application/timestamp-reply":
            raise TimestampRequestError(
                f"Timestamp server answered {content_type}, not application/timestamp-reply."
            )
        return tsp.TimeStampResp.load(body)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certifi.where())




class _DevTimeStamper(DummyTimeStamper):
    """pyHanko's test timestamper, with its key parsed once instead of on every request."""

    def __init__(self, key: rsa.RSAPrivateKey, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._pyca_key = key

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, moment: dt.datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes([
            simple_cms_attribute("content_type", "tst_info"),
            simple_cms_attribute(
                "signing_time", cms.Time({"utc_time": core.UTCTime(moment)})
            ),
            simple_cms_attribute(
                "signing_certificate", general.as_signing_certificate(self.tsa_cert)
            ),
            simple_cms_attribute("message_digest", digest.finalize()),
        ])
        signature = self._pyca_key.sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm)
        )
        return signature, signed_attrs


def dev_timestamper(directory: Path) -> DummyTimeStamper:
    """A timestamper whose certificate the development intermediate CA (in `directory`) issued."""
    ca_key = serialization.load_pem_private_key(
        (directory / "intermediate-key.pem").read_bytes(), password=None
    )
    assert isinstance(ca_key, rsa.RSAPrivateKey)
    ca_cert = x509.load_pem_x509_certificate((directory / "intermediate.pem").read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA thử nghiệm")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(f"{CRL_BASE_URL}intermediate.crl")],
            relative_name=None, reasons=None, crl_issuer=None,
        )]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    der = serialization.Encoding.DER
    return _DevTimeStamper(
        key,
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        certs_to_embed=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [asn1_x509.Certificate.load(ca_cert.public_bytes(der))]
        ),
    )


@contextmanager
def dev_tsa(directory: Path) -> Iterator[str]:
    """Serve RFC 3161 timestamps on 127.0.0.1 while the block runs; yields the TSA's URL."""
    stamper = dev_timestamper(directory)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()
