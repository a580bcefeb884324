"""A development PKI: a root CA, an intermediate and one PKCS#12 key file per signer.

Everything is made locally with ``cryptography`` (no network, no certomancer). Every certificate
carries the organisational unit :data:`TEST_MARKER` so the UI can say "chứng thư thử nghiệm".
The files are never overwritten: calling :func:`init_dev_pki` again reuses what exists and only
issues certificates for signers that have none yet.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko_certvalidator import ValidationContext

from signing.errors import KeyNotFound

__all__ = [
    "CRL_BASE_URL",
    "DevPki",
    "DevSignerFiles",
    "ROOT_NAME",
    "TEST_MARKER",
    "init_dev_pki",
    "is_test_certificate",
    "issue_certificate",
    "issue_signer",
    "load_certificate",
    "revoke",
    "write_crls",
]

logger = logging.getLogger(__name__)

ROOT_NAME = "Hội trường số — CA thử nghiệm"
INTERMEDIATE_NAME = "Hội trường số — CA trung gian thử nghiệm"
ORGANISATION = "Hội trường số"
TEST_MARKER = "CHỨNG THƯ THỬ NGHIỆM"
"""The organisational unit of every development certificate."""

CRL_BASE_URL = "http://127.0.0.1/hoitruong-dev-pki/"
"""Where the certificates say their CRLs are (``root.crl``, ``intermediate.crl``). Nothing
serves them: verification is given the files instead (:meth:`DevPki.validation_context`)."""

_PASSPHRASES_FILE = "passphrases.json"
_REVOKED_FILE = "revoked.json"
_KEY_SIZE = 2048
_CRL_DAYS = 30


@dataclass(frozen=True)
class DevSignerFiles:
    """One signer's key file."""

    name: str
    """The short name, e.g. ``chutoa``; the file is ``<name>.p12``."""
    common_name: str
    """The person's name in the certificate, e.g. ``Nguyễn Văn An``."""
    p12_path: Path
    """The PKCS#12 file holding the key, the certificate and the intermediate."""
    passphrase: str
    """The passphrase that opens :attr:`p12_path`."""


@dataclass(frozen=True)
class DevPki:
    """The files of a development PKI."""

    directory: Path
    """The folder holding every file."""
    root_pem: Path
    """The root CA certificate (the trust anchor to give to verification)."""
    intermediate_pem: Path
    """The intermediate CA certificate."""
    signers: Mapping[str, DevSignerFiles]
    """The signers by short name."""

    def trust_roots(self) -> list[asn1_x509.Certificate]:
        """The root certificate, ready for :func:`signing.verify.verify_pdf`."""
        return [load_certificate(self.root_pem)]

    def crls(self) -> list[asn1_crl.CertificateList]:
        """The current CRLs of the root and the intermediate (written by :func:`write_crls`)."""
        return [
            asn1_crl.CertificateList.load(x509.load_pem_x509_crl(
                (self.directory / f"{stem}.crl").read_bytes()
            ).public_bytes(serialization.Encoding.DER))
            for stem in ("root", "intermediate")
        ]

    def validation_context(
        self, *, revocation_mode: str = "require", moment: datetime | None = None
    ) -> ValidationContext:
        """A validation context trusting the root, holding the CRLs, never fetching.

        For long-term (B-LT) signing: pyHanko checks the signer against it and embeds the
        CRLs in the document.
        """
        return ValidationContext(
            trust_roots=self.trust_roots(), other_certs=[load_certificate(self.intermediate_pem)],
            crls=self.crls(), allow_fetching=False, revocation_mode=revocation_mode,
            moment=moment,
        )


def load_certificate(path: Path) -> asn1_x509.Certificate:
    """Read a PEM or DER certificate file as an asn1crypto certificate (pyHanko's type)."""
    data = path.read_bytes()
    cert = (
        x509.load_pem_x509_certificate(data)
        if b"-----BEGIN" in data
        else x509.load_der_x509_certificate(data)
    )
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def is_test_certificate(cert: asn1_x509.Certificate) -> bool:
    """Whether a certificate carries the development marker."""
    units = cert.subject.native.get("organizational_unit_name", [])
    if isinstance(units, str):
        units = [units]
    return TEST_MARKER in units


def init_dev_pki(directory: Path, signers: dict[str, str]) -> DevPki:
    """Create (or reuse) a development PKI in ``directory`` with one key file per signer.

    ``signers`` maps a short name (the file name) to the person's full name. The passphrases
    are kept in ``passphrases.json`` (mode 0600) beside the key files: this is a test PKI.
    A key file that exists is reused as it is, even if the name given now differs.
    """
    directory.mkdir(parents=True, exist_ok=True)
    root_key, root_cert = _ca(directory, "root", ROOT_NAME, issuer=None)
    inter_key, inter_cert = _ca(directory, "intermediate", INTERMEDIATE_NAME,
                                issuer=(root_key, root_cert))
    passphrase_file = directory / _PASSPHRASES_FILE
    passphrases = _read_passphrases(passphrase_file)
    files: dict[str, DevSignerFiles] = {}
    for name, common_name in signers.items():
        p12_path = directory / f"{name}.p12"
        if p12_path.exists() and name not in passphrases:
            raise KeyNotFound(
                f"Tệp khóa {p12_path.name} đã có nhưng không rõ mật khẩu; "
                "hãy xóa tệp đó để cấp lại chứng thư thử nghiệm."
            )
        if not p12_path.exists():
            passphrases[name] = secrets.token_urlsafe(12)
            _write_signer(p12_path, common_name, passphrases[name], inter_key, inter_cert)
            _write_private(passphrase_file, json.dumps(passphrases, indent=2).encode())
            logger.info("Issued a test certificate for %s in %s", common_name, p12_path)
        files[name] = DevSignerFiles(name, common_name, p12_path, passphrases[name])
    if _crls_need_update(directory):
        write_crls(directory)
    return DevPki(directory, directory / "root.pem", directory / "intermediate.pem", files)


def issue_certificate(
    directory: Path,
    common_name: str,
    public_key: rsa.RSAPublicKey,
    *,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> asn1_x509.Certificate:
    """A signing certificate from the development intermediate CA for an existing key.

    For keys that never leave a token (SoftHSM2 in tests). Without dates it is valid from
    yesterday for two years; give dates in the past to make an expired certificate.
    """
    ca_key, ca_cert = _intermediate(directory)
    cert = _signer_certificate(common_name, public_key, ca_key, ca_cert, valid_from, valid_until)
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def issue_signer(
    directory: Path,
    name: str,
    common_name: str,
    *,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> DevSignerFiles:
    """A new PKCS#12 key file ``<name>.p12`` in an existing development PKI (e.g. an expired one)."""
    p12_path = directory / f"{name}.p12"
    if p12_path.exists():
        raise KeyNotFound(f"Tệp khóa {p12_path.name} đã có; không cấp lại.")
    ca_key, ca_cert = _intermediate(directory)
    passphrase_file = directory / _PASSPHRASES_FILE
    passphrases = _read_passphrases(passphrase_file)
    passphrases[name] = secrets.token_urlsafe(12)
    _write_signer(p12_path, common_name, passphrases[name], ca_key, ca_cert,
                  valid_from=valid_from, valid_until=valid_until)
    _write_private(passphrase_file, json.dumps(passphrases, indent=2).encode())
    return DevSignerFiles(name, common_name, p12_path, passphrases[name])


def revoke(directory: Path, signer_name: str) -> None:
    """Revoke the certificate of ``<signer_name>.p12`` and rewrite the CRLs (for tests)."""
    passphrases = _read_passphrases(directory / _PASSPHRASES_FILE)
    if signer_name not in passphrases:
        raise KeyNotFound(f"Không có người ký {signer_name} trong PKI thử nghiệm.")
    _key, cert, _extra = pkcs12.load_key_and_certificates(
        (directory / f"{signer_name}.p12").read_bytes(),
        passphrases[signer_name].encode("utf-8"),
    )
    assert cert is not None
    revoked = _read_revoked(directory)
    revoked.setdefault("intermediate", [])
    if cert.serial_number not in revoked["intermediate"]:
        revoked["intermediate"].append(cert.serial_number)
    (directory / _REVOKED_FILE).write_text(json.dumps(revoked, indent=2), encoding="utf-8")
    write_crls(directory)


def write_crls(directory: Path) -> None:
    """Write ``root.crl`` and ``intermediate.crl`` (PEM), listing what :func:`revoke` revoked."""
    revoked = _read_revoked(directory)
    now = dt.datetime.now(dt.timezone.utc)
    root = _ca(directory, "root", ROOT_NAME, issuer=None)
    for stem, (key, cert) in (("root", root), ("intermediate", _intermediate(directory))):
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(cert.subject)
            .last_update(now - dt.timedelta(minutes=5))
            .next_update(now + dt.timedelta(days=_CRL_DAYS))
            .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()),
                critical=False,
            )
        )
        for serial in revoked.get(stem, []):
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial)
                .revocation_date(now - dt.timedelta(minutes=1)).build()
            )
        crl = builder.sign(key, hashes.SHA256())
        (directory / f"{stem}.crl").write_bytes(crl.public_bytes(serialization.Encoding.PEM))


def _crls_need_update(directory: Path) -> bool:
    horizon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    for stem in ("root", "intermediate"):
        path = directory / f"{stem}.crl"
        if not path.exists():
            return True
        next_update = x509.load_pem_x509_crl(path.read_bytes()).next_update_utc
        if next_update is None or next_update < horizon:
            return True
    return False


def _read_revoked(directory: Path) -> dict[str, list[int]]:
    path = directory / _REVOKED_FILE
    if not path.exists():
        return {}
    loaded = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): [int(v) for v in values] for k, values in loaded.items()}


def _intermediate(directory: Path) -> _Issuer:
    root = _ca(directory, "root", ROOT_NAME, issuer=None)
    return _ca(directory, "intermediate", INTERMEDIATE_NAME, issuer=root)


def _crl_distribution_point(issuer_stem: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints([x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier(f"{CRL_BASE_URL}{issuer_stem}.crl")],
        relative_name=None, reasons=None, crl_issuer=None,
    )])


def _read_passphrases(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    loaded = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in loaded.items()}


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_MARKER),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


_Issuer = tuple[rsa.RSAPrivateKey, x509.Certificate]


def _ca(directory: Path, stem: str, common_name: str, issuer: _Issuer | None) -> _Issuer:
    """Load the CA ``stem`` from ``directory``, creating it on first use."""
    cert_path, key_path = directory / f"{stem}.pem", directory / f"{stem}-key.pem"
    if cert_path.exists() and key_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)
    usage = x509.KeyUsage(
        digital_signature=False, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
        encipher_only=False, decipher_only=False,
    )
    builder = _builder(_name(common_name), key, issuer, years=10)
    if issuer is not None:
        builder = builder.add_extension(_crl_distribution_point("root"), critical=False)
    cert = (
        builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(issuer[0] if issuer else key, hashes.SHA256())
    )
    _write_private(key_path, key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def _builder(
    subject: x509.Name, key: rsa.RSAPrivateKey | rsa.RSAPublicKey, issuer: _Issuer | None,
    years: int, valid_from: datetime | None = None, valid_until: datetime | None = None,
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.timezone.utc)
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    issuer_name = issuer[1].subject if issuer else subject
    issuer_public = issuer[0].public_key() if issuer else public
    start = valid_from or now - dt.timedelta(days=1)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(valid_until or start + dt.timedelta(days=365 * years))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public), critical=False
        )
    )


def _write_signer(
    path: Path, common_name: str, passphrase: str,
    ca_key: rsa.RSAPrivateKey, ca_cert: x509.Certificate,
    *, valid_from: datetime | None = None, valid_until: datetime | None = None,
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)
    cert = _signer_certificate(
        common_name, key.public_key(), ca_key, ca_cert, valid_from, valid_until
    )
    data = pkcs12.serialize_key_and_certificates(
        common_name.encode("utf-8"), key, cert, [ca_cert],
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    )
    _write_private(path, data)


def _signer_certificate(
    common_name: str, public_key: rsa.RSAPublicKey,
    ca_key: rsa.RSAPrivateKey, ca_cert: x509.Certificate,
    valid_from: datetime | None, valid_until: datetime | None,
) -> x509.Certificate:
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )
    return (
        _builder(_name(common_name), public_key, (ca_key, ca_cert), years=2,
                 valid_from=valid_from, valid_until=valid_until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(_crl_distribution_point("intermediate"), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
