"""Errors raised by the signing package, each with a stable code and a Vietnamese message."""

from __future__ import annotations

__all__ = [
    "FieldAlreadyFilled",
    "FieldMissing",
    "KeyNotFound",
    "NoSignature",
    "NotOurPdf",
    "RemoteStateInvalid",
    "SignatureMismatch",
    "SigningError",
    "TimestampUnavailable",
    "TokenKeyNotFound",
    "TokenLocked",
    "TokenMissing",
    "TokenModuleMissing",
    "ValidationInfoUnavailable",
    "WrongPassword",
    "WrongPin",
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


class FieldAlreadyFilled(SigningError):
    """The number field already holds a number; a record is numbered once."""

    code = "field_already_filled"
    default_message = "Ô số của văn bản đã được điền."


class TokenModuleMissing(SigningError):
    """The PKCS#11 module (the token driver's .so/.dll) cannot be loaded."""

    code = "token_module_missing"
    default_message = (
        "Không nạp được thư viện PKCS#11 của USB token; hãy cài trình điều khiển của "
        "nhà cung cấp chữ ký số."
    )


class TokenMissing(SigningError):
    """No token is plugged in, or none has the requested label."""

    code = "token_missing"
    default_message = "Không tìm thấy USB token; hãy cắm token và thử lại."


class WrongPin(SigningError):
    """The token refused the PIN."""

    code = "wrong_pin"
    default_message = (
        "Mã PIN không đúng. Lưu ý: nhập sai nhiều lần liên tiếp sẽ khóa USB token."
    )


class TokenLocked(SigningError):
    """The token's user PIN is locked after too many wrong attempts."""

    code = "token_locked"
    default_message = (
        "USB token đã bị khóa do nhập sai mã PIN quá nhiều lần; hãy liên hệ nhà cung cấp "
        "chữ ký số để mở khóa."
    )


class TokenKeyNotFound(KeyNotFound):
    """The token holds no private key or certificate with the requested id."""

    code = "token_key_not_found"
    default_message = "USB token không có khóa ký hoặc chứng thư cần dùng."


class SignatureMismatch(SigningError):
    """A signature sent back for remote signing does not verify with the signer's certificate."""

    code = "signature_mismatch"
    default_message = (
        "Chữ ký gửi về không khớp với chứng thư của người ký; tài liệu chưa được ký."
    )


class RemoteStateInvalid(SigningError):
    """The saved state of a remote signing is damaged or from another version."""

    code = "remote_state_invalid"
    default_message = "Phiên ký từ xa không hợp lệ hoặc đã hỏng; hãy bắt đầu ký lại."


class TimestampUnavailable(SigningError):
    """The timestamp authority did not answer or refused the request."""

    code = "timestamp_unavailable"
    default_message = "Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian."


class ValidationInfoUnavailable(SigningError):
    """The certificate's revocation information cannot be gathered for a long-term signature."""

    code = "validation_info_unavailable"
    default_message = (
        "Không thu thập được thông tin thu hồi của chứng thư để ký dài hạn (B-LT)."
    )
