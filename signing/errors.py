"""Errors raised by the signing package, each with a stable code and a Vietnamese message."""

from __future__ import annotations

__all__ = [
    "FieldMissing",
    "KeyNotFound",
    "NoSignature",
    "NotOurPdf",
    "SigningError",
    "WrongPassword",
]


class SigningError(Exception):
    """Root of the signing errors: ``code`` is for machines, ``message`` is shown to people."""

    code: str = "signing_error"
    default_message: str = "Không ký số được tài liệu."

    def __init__(self, message: str | None = None) -> None:
        self.message: str = message or self.default_message
        super().__init__(self.message)


class WrongPassword(SigningError):
    """The PKCS#12 passphrase does not open the key file."""

    code = "wrong_password"
    default_message = "Mật khẩu tệp khóa PKCS#12 không đúng."


class KeyNotFound(SigningError):
    """The key file does not exist or holds no private key and certificate."""

    code = "key_not_found"
    default_message = "Không tìm thấy tệp khóa hoặc khóa ký trong tệp."


class NotOurPdf(SigningError):
    """The bytes are not a PDF this system can read."""

    code = "not_our_pdf"
    default_message = "Tệp không phải là tài liệu PDF hợp lệ."


class NoSignature(SigningError):
    """The PDF carries no signature."""

    code = "no_signature"
    default_message = "Tài liệu không có chữ ký số nào."


class FieldMissing(SigningError):
    """The named signature field is not in the PDF."""

    code = "field_missing"
    default_message = "Tài liệu không có ô chữ ký cần ký."
