"""Sign a PDF in one of its signature fields (PAdES B-B, or B-T with a timestamp server).

The first signer certifies the document (DocMDP P=2: later form filling and signing stay
allowed); later signers add approval signatures. Signing never rewrites the input: the result
is the input followed by an incremental update, so earlier signatures stay valid.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from datetime import datetime
from importlib import resources
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko import stamp
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers, timestamps
from pyhanko_certvalidator.util import get_pyca_cryptography_hash
from pyhanko.sign.signers.pdf_signer import PdfSigner
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter

from signing.errors import FieldMissing, KeyNotFound, NotOurPdf, WrongPassword
from signing.pki import is_test_certificate

__all__ = ["LOCAL_TZ", "Signer", "clear_signer_cache", "load_signer", "sign_pdf"]

logger = logging.getLogger(__name__)

Signer = signers.SimpleSigner
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_TIME_FORMAT = "%H:%M:%S ngày %d/%m/%Y (UTC+07:00)"
_STAMP_FONT = ("fontpkg_crimson_text", "files", "CrimsonText-Regular.ttf")
_STAMP_FONT_SIZE = 9

_cache: dict[tuple[str, int, str], Signer] = {}
_cache_lock = threading.Lock()


def load_signer(p12_path: Path, passphrase: str) -> Signer:
    """Open a PKCS#12 key file once; later calls with the same file and passphrase reuse it.

    Raises :class:`~signing.errors.KeyNotFound` when the file is missing or unreadable and
    :class:`~signing.errors.WrongPassword` when the passphrase does not open it.
    """
    try:
        stat = p12_path.stat()
    except OSError as exc:
        raise KeyNotFound(f"Không tìm thấy tệp khóa {p12_path.name}.") from exc
    digest = hashlib.sha256(passphrase.encode("utf-8")).hexdigest()
    key = (str(p12_path.resolve()), stat.st_mtime_ns, digest)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            return cached
        signer = _open_pkcs12(p12_path.read_bytes(), passphrase)
        _cache[key] = signer
        return signer


def clear_signer_cache() -> None:
    """Forget every loaded key (e.g. after a key file is replaced)."""
    with _cache_lock:
        _cache.clear()


class _ReusedKeySigner(signers.SimpleSigner):
    """A SimpleSigner that parses its private key once, not on every signature.

    pyHanko re-imports the key for each raw signature (twice per PDF, once to size the
    signature container); importing an RSA key costs tens of milliseconds.
    """

    def __init__(self, loaded: signers.SimpleSigner) -> None:
        assert loaded.signing_cert is not None
        super().__init__(
            signing_cert=loaded.signing_cert, signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
        )
        self._pyca_key = serialization.load_der_private_key(
            loaded.signing_key.dump(), password=None
        )

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._pyca_key, RSAPrivateKey):
            return self._pyca_key.sign(
                data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
            )
        return super().sign_raw(data, digest_algorithm)


def _open_pkcs12(data: bytes, passphrase: str) -> Signer:
    try:
        signer: Signer = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=[], passphrase=passphrase.encode("utf-8")
        )
    except ValueError as exc:
        # cryptography says "Invalid password or PKCS12 data" for both; a file that we could
        # stat and read is far more often opened with the wrong passphrase than corrupt.
        raise WrongPassword() from exc
    if signer.signing_cert is None:
        raise KeyNotFound("Tệp khóa không chứa chứng thư của người ký.")
    return _ReusedKeySigner(signer)


def sign_pdf(
    pdf: bytes,
    *,
    signer: Signer,
    field_name: str,
    certify: bool,
    signer_name: str,
    reason: str,
    location: str,
    timestamp_url: str | None = None,
    verify_url: str | None = None,
) -> bytes:
    """Sign ``pdf`` in the empty field ``field_name`` and return the signed bytes.

    ``certify`` makes this the certifying (first) signature. With ``timestamp_url`` the
    signature is timestamped (PAdES B-T); without, it is PAdES B-B. With ``verify_url`` the
    visible stamp carries a QR code pointing there.
    """
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except (PdfError, ValueError, IndexError, KeyError) as exc:
        raise NotOurPdf() from exc
    _require_empty_field(writer, field_name)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        name=signer_name,
        reason=reason,
        location=location,
        certify=certify,
        docmdp_permissions=MDPPerm.FILL_FORMS,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    timestamper = timestamps.HTTPTimeStamper(timestamp_url) if timestamp_url else None
    pdf_signer = PdfSigner(
        meta, signer=signer, timestamper=timestamper,
        stamp_style=_stamp_style(signer, verify_url),
    )
    params: dict[str, str] = {"luc": datetime.now(LOCAL_TZ).strftime(_TIME_FORMAT)}
    if verify_url:
        params["url"] = verify_url
    out = BytesIO()
    pdf_signer.sign_pdf(writer, output=out, appearance_text_params=params)
    return out.getvalue()


def _require_empty_field(writer: IncrementalPdfFileWriter, field_name: str) -> None:
    for name, value, _ref in fields.enumerate_sig_fields(writer):
        if name == field_name:
            if value is not None:
                raise FieldMissing(f"Ô chữ ký {field_name} đã được ký.")
            return
    raise FieldMissing(f"Tài liệu không có ô chữ ký {field_name}.")


def _stamp_style(signer: Signer, verify_url: str | None) -> stamp.TextStampStyle:
    text = "Người ký: %(signer)s\nKý số lúc %(luc)s"
    cert = signer.signing_cert
    if cert is not None and is_test_certificate(cert):
        text += "\n(chứng thư thử nghiệm)"
    box = TextBoxStyle(font=GlyphAccumulatorFactory(_font_path(), font_size=_STAMP_FONT_SIZE))
    if verify_url:
        return stamp.QRStampStyle(stamp_text=text + "\nKiểm tra: %(url)s", text_box_style=box)
    return stamp.TextStampStyle(stamp_text=text, text_box_style=box)


def _font_path() -> str:
    package, folder, name = _STAMP_FONT
    return str(resources.files(package) / folder / name)
