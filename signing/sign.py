"""Sign a PDF in one of its signature fields (PAdES B-B, B-T with a timestamp server, or B-LT).

The first signer certifies the document (DocMDP P=2: later form filling and signing stay
allowed); later signers add approval signatures. Signing never rewrites the input: the result
is the input followed by an incremental update, so earlier signatures stay valid.

The key may be a PKCS#12 file (:func:`load_signer`), a PKCS#11 token
(:func:`signing.pkcs11.open_token_signer`) or a token on the signer's own PC
(:mod:`signing.remote`); all three share the stamp built here.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import os
import string
import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import cms, tsp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from fontTools import subset as ft_subset
from fontTools import ttLib
from pyhanko import stamp
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.general import as_signing_certificate_v2
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfSigner
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathValidationError
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from signing.errors import (
    FieldMissing,
    KeyNotFound,
    NotOurPdf,
    SigningError,
    TimestampUnavailable,
    ValidationInfoUnavailable,
    WrongPassword,
)
from signing.fonts import VIETNAMESE_SAMPLE
from signing.pki import is_test_certificate
from signing.tsa import simple_cms_attribute, timestamper_for

__all__ = [
    "LOCAL_TZ",
    "PreparedSigner",
    "Signer",
    "StampFont",
    "clear_signer_cache",
    "load_signer",
    "open_for_signing",
    "prepare_signer",
    "sign_pdf",
    "stamp_font_bytes",
]

logger = logging.getLogger(__name__)


class _ExpectedOffline(logging.Filter):
    """pyHanko warns that B-LT data is embedded without fetching; we give the CRLs on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_ExpectedOffline())

Signer = signers.Signer
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_TIME_FORMAT = "%H:%M:%S %d/%m/%Y (UTC+7)"
_STAMP_FONT = ("fontpkg_crimson_text", "files", "CrimsonText-Regular.ttf")
_STAMP_FONT_SIZE = 9
_SUBSET_VERSION = b"1"
"""Change when the way the stamp font is cut changes, so cached copies are not reused."""
# Everything a stamp or a record number may contain: names, times, URLs, codes like "BB-HĐND".
_STAMP_CHARACTERS = (
    VIETNAMESE_SAMPLE + string.ascii_letters + string.digits + string.punctuation
    + " –—‘’“”…·°§№"
)

_cache: dict[tuple[str, int, str], signers.SimpleSigner] = {}
_cache_lock = threading.Lock()
_reserved: dict[tuple[bytes, str | None], int] = {}


def load_signer(p12_path: Path, passphrase: str) -> signers.SimpleSigner:
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
    """Forget every loaded key and signature size (e.g. after a key file is replaced)."""
    with _cache_lock:
        _cache.clear()
        _reserved.clear()


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
        # Parsed from DER so that asn1crypto reuses the bytes instead of re-encoding the
        # issuer name on every signature (about 5 ms each time).
        self._signing_certificate_attr = simple_cms_attribute(
            "signing_certificate_v2",
            tsp.SigningCertificateV2.load(as_signing_certificate_v2(loaded.signing_cert).dump()),
        )

    async def signed_attrs(
        self,
        data_digest: bytes,
        digest_algorithm: str,
        attr_settings: PdfCMSSignedAttributes | None = None,
        content_type: str = "data",
        use_pades: bool = False,
        timestamper: timestamps.TimeStamper | None = None,
        dry_run: bool = False,
        is_pdf_sig: bool = True,
    ) -> cms.CMSAttributes:
        """pyHanko's signed attributes; the PAdES case (content type, message digest, signing
        certificate v2, nothing else) is built directly from the cached attribute."""
        settings = attr_settings or PdfCMSSignedAttributes()
        if (
            use_pades and is_pdf_sig and content_type == "data"
            and self.signed_attr_prov_spec is None
            and settings.cades_signed_attrs is None and settings.adobe_revinfo_attr is None
        ):
            return cms.CMSAttributes([
                simple_cms_attribute("content_type", "data"),
                simple_cms_attribute("message_digest", data_digest),
                self._signing_certificate_attr,
            ])
        return await super().signed_attrs(
            data_digest, digest_algorithm, attr_settings=attr_settings,
            content_type=content_type, use_pades=use_pades, timestamper=timestamper,
            dry_run=dry_run, is_pdf_sig=is_pdf_sig,
        )

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._pyca_key, RSAPrivateKey):
            return self._pyca_key.sign(
                data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
            )
        return super().sign_raw(data, digest_algorithm)

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:
            # Sizing the container needs the length only; an RSA signature is the modulus size.
            return bytes(self.estimate_raw_signature_size_bytes())
        return self.sign_raw(data, digest_algorithm)

    def estimate_raw_signature_size_bytes(self) -> int:
        if isinstance(self._pyca_key, RSAPrivateKey):
            return (self._pyca_key.key_size + 7) // 8
        return 512


def _open_pkcs12(data: bytes, passphrase: str) -> signers.SimpleSigner:
    try:
        signer: signers.SimpleSigner = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=[], passphrase=passphrase.encode("utf-8")
        )
    except ValueError as exc:
        # cryptography says "Invalid password or PKCS12 data" for both; a file that we could
        # stat and read is far more often opened with the wrong passphrase than corrupt.
        raise WrongPassword() from exc
    if signer.signing_cert is None:
        raise KeyNotFound("Tệp khóa không chứa chứng thư của người ký.")
    return _ReusedKeySigner(signer)


@dataclass(frozen=True)
class PreparedSigner:
    """A pyHanko signer configured the way every signature of the hall is made."""

    pdf_signer: PdfSigner
    """The configured pyHanko signer (field, DocMDP, PAdES, stamp, timestamper)."""
    appearance_params: dict[str, str]
    """The values of the stamp's placeholders (signing time in Asia/Ho_Chi_Minh, URL)."""


def sign_pdf(
    pdf: bytes,
    *,
    signer: signers.Signer,
    field_name: str,
    certify: bool,
    signer_name: str,
    reason: str,
    location: str,
    timestamp_url: str | None = None,
    verify_url: str | None = None,
    long_term: bool = False,
    validation_context: ValidationContext | None = None,
    signer_title: str = "",
) -> bytes:
    """Sign ``pdf`` in the empty field ``field_name`` and return the signed bytes.

    ``certify`` makes this the certifying (first) signature. With ``timestamp_url`` the
    signature is timestamped (PAdES B-T); without, it is PAdES B-B. ``long_term`` (which needs
    ``timestamp_url`` and a ``validation_context`` holding the revocation data, e.g.
    :meth:`signing.pki.DevPki.validation_context`) adds the certificates and revocation
    information in the document security store (PAdES B-LT). With ``verify_url`` the visible
    stamp carries a QR code pointing there.
    """
    writer = open_for_signing(pdf, field_name)
    prepared = prepare_signer(
        signer, field_name=field_name, certify=certify, signer_name=signer_name,
        reason=reason, location=location, timestamp_url=timestamp_url, verify_url=verify_url,
        long_term=long_term, validation_context=validation_context, signer_title=signer_title,
    )
    out = BytesIO()
    try:
        reserved = _bytes_reserved(prepared.pdf_signer, timestamp_url)
        prepared.pdf_signer.sign_pdf(
            writer, output=out, appearance_text_params=prepared.appearance_params,
            bytes_reserved=reserved,
        )
    except TimestampRequestError as exc:
        raise TimestampUnavailable() from exc
    except (PathValidationError, PyHankoSigningError) as exc:
        if long_term:
            raise ValidationInfoUnavailable(
                f"{ValidationInfoUnavailable.default_message} Chi tiết: {exc}"
            ) from exc
        raise SigningError(f"Không ký số được tài liệu: {exc}") from exc
    return out.getvalue()


def _bytes_reserved(pdf_signer: PdfSigner, timestamp_url: str | None) -> int | None:
    """The room for the signature container, sized once per certificate and timestamp server.

    pyHanko sizes it with a dry-run signature before every real one; the size depends only on
    the certificates, the attributes and the timestamp token, so one dry run is enough. The
    formula is pyHanko's (``estimate_signature_container_size``): hex doubles the DER and a
    timestamp token may vary, hence the 50 % margin.
    """
    signer = pdf_signer.signer
    cert = signer.signing_cert
    if cert is None:
        return None
    key = (cert.sha256, timestamp_url)
    with _cache_lock:
        cached = _reserved.get(key)
    if cached is not None:
        return cached
    dry_run = signer.async_sign(
        hashlib.sha256().digest(), "sha256", dry_run=True, use_pades=True,
        timestamper=timestamper_for(timestamp_url) if timestamp_url else None,
        signed_attr_settings=PdfCMSSignedAttributes(),
    )
    length = len(asyncio.run(dry_run).dump()) * 2
    size = length + 2 * (length // 4)
    with _cache_lock:
        _reserved[key] = size
    return size


def open_for_signing(pdf: bytes, field_name: str) -> IncrementalPdfFileWriter:
    """An incremental writer on ``pdf``, after checking that ``field_name`` is an empty field."""
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except (PdfError, ValueError, IndexError, KeyError) as exc:
        raise NotOurPdf() from exc
    for name, value, _ref in fields.enumerate_sig_fields(writer):
        if name == field_name:
            if value is not None:
                raise FieldMissing(f"Ô chữ ký {field_name} đã được ký.")
            return writer
    raise FieldMissing(f"Tài liệu không có ô chữ ký {field_name}.")


def prepare_signer(
    signer: signers.Signer,
    *,
    field_name: str,
    certify: bool,
    signer_name: str,
    reason: str,
    location: str,
    timestamp_url: str | None = None,
    verify_url: str | None = None,
    long_term: bool = False,
    validation_context: ValidationContext | None = None,
    signer_title: str = "",
) -> PreparedSigner:
    """The pyHanko signer and stamp values for one signature (see :func:`sign_pdf`)."""
    if long_term and (timestamp_url is None or validation_context is None):
        raise SigningError(
            "Ký dài hạn (B-LT) cần máy chủ dấu thời gian và dữ liệu thu hồi chứng thư."
        )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        # Names typed on some systems arrive decomposed; the stamp font shapes composed letters.
        name=unicodedata.normalize("NFC", signer_name),
        reason=reason,
        location=location,
        certify=certify,
        docmdp_permissions=MDPPerm.FILL_FORMS,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=long_term,
        validation_context=validation_context if long_term else None,
    )
    pdf_signer = PdfSigner(
        meta, signer=signer,
        timestamper=timestamper_for(timestamp_url) if timestamp_url else None,
        stamp_style=_stamp_style(signer, verify_url, bool(signer_title)),
    )
    params = {"luc": datetime.now(LOCAL_TZ).strftime(_TIME_FORMAT),
              "chuc_vu": unicodedata.normalize("NFC", signer_title)}
    if verify_url:
        params["url"] = verify_url
    return PreparedSigner(pdf_signer, params)


def _stamp_style(
    signer: signers.Signer, verify_url: str | None, titled: bool
) -> stamp.TextStampStyle:
    """Who signed, as what, when (hall time); the QR code carries the verify URL.

    Lines stay short: pyHanko shrinks the whole text to fit the box, so one long line (such as
    the URL, which the QR code and the page's footer already carry) makes every line tiny.
    """
    lines = ["Ký bởi: %(signer)s"]
    if titled:
        lines.append("%(chuc_vu)s")
    lines.append("Thời gian: %(luc)s")
    cert = signer.signing_cert
    if cert is not None and is_test_certificate(cert):
        lines.append("(chứng thư thử nghiệm)")
    text = "\n".join(lines)
    box = TextBoxStyle(font=StampFont(font_size=_STAMP_FONT_SIZE))
    if verify_url:
        return stamp.QRStampStyle(stamp_text=text, text_box_style=box)
    return stamp.TextStampStyle(stamp_text=text, text_box_style=box)


@functools.cache
def stamp_font_bytes() -> bytes:
    """The stamp font (Crimson Text), cut to the letters a stamp may use.

    pyHanko parses and subsets the font for every signature; starting from this small font
    (Vietnamese, Latin, digits and punctuation, no hinting) makes that several times cheaper.
    The shaping tables stay, so kerning is unchanged. Cutting takes about 150 ms, so the result
    is kept per process and in the user's cache folder (``~/.cache/hoitruong``).
    """
    package, folder, name = _STAMP_FONT
    source = (resources.files(package) / folder / name).read_bytes()
    digest = hashlib.sha256(source + _STAMP_CHARACTERS.encode() + _SUBSET_VERSION).hexdigest()
    cached = _cache_folder() / f"stamp-font-{digest[:24]}.ttf"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    font = ttLib.TTFont(BytesIO(source))
    options = ft_subset.Options()
    options.hinting = False
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = ft_subset.Subsetter(options=options)
    subsetter.populate(text=_STAMP_CHARACTERS)
    subsetter.subset(font)
    out = BytesIO()
    font.save(out)
    _write_atomically(cached, out.getvalue())
    return out.getvalue()


def _cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hoitruong"


def _write_atomically(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError as exc:  # a read-only home only costs the next process 150 ms
        logger.info("Cannot cache the stamp font in %s: %s", path.parent, exc)


@dataclass(frozen=True)
class StampFont(FontEngineFactory):
    """pyHanko's font engine for the stamp font, built from :func:`stamp_font_bytes`."""

    font_size: int = _STAMP_FONT_SIZE
    """The size in points."""

    def create_font_engine(
        self, writer: BasePdfFileWriter, obj_stream: Any = None
    ) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()  # type: ignore[no-untyped-call]
        return _StampGlyphs(
            writer=writer, font_handle=BytesIO(stamp_font_bytes()),
            font_size=self.font_size, obj_stream=obj_stream,
        )


_font_programs: dict[frozenset[int], bytes] = {}
_font_programs_lock = threading.Lock()
_FONT_PROGRAMS_MAX = 512
_ALWAYS_EMBEDDED = "0123456789:/()+"


class _StampGlyphs(GlyphAccumulator):
    """pyHanko's glyph accumulator, remembering the font program it embeds for a set of glyphs.

    Cutting the font to a stamp's glyphs and saving it was half the time of a signature. Every
    digit is always embedded, so the same signer's next stamp has the same glyphs whatever the
    time, and embeds the same bytes.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._glyph_key: frozenset[int] = frozenset()
        self.cidfont_obj.set_font_file = self._set_font_file  # type: ignore[method-assign]

    def _extract_subset(self, options: Any = None) -> None:
        # Every digit, so that the time of signing does not change the set of glyphs.
        self.shape(_ALWAYS_EMBEDDED)
        self._glyph_key = frozenset(self._glyphs)
        with _font_programs_lock:
            known = self._glyph_key in _font_programs
        if not known:
            super()._extract_subset(options)

    def _set_font_file(self, writer: Any) -> Any:
        with _font_programs_lock:
            program = _font_programs.get(self._glyph_key)
        if program is None:
            buffer = BytesIO()
            self.tt.save(buffer)
            program = buffer.getvalue()
            with _font_programs_lock:
                if len(_font_programs) >= _FONT_PROGRAMS_MAX:
                    _font_programs.clear()
                _font_programs[self._glyph_key] = program
        stream = generic.StreamObject(stream_data=program)
        stream.compress()  # type: ignore[no-untyped-call]
        ref = writer.add_object(stream)
        self.cidfont_obj._font_descriptor[generic.pdf_name("/FontFile2")] = ref
        return ref
