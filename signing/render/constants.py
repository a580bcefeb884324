"""Names and codes the documents share with the signing code: signature fields in signing order,
the number field and the code printed after each document's number."""

from __future__ import annotations

__all__ = [
    "DOCUMENT_CODES",
    "NOUNS",
    "NUMBER_CODE",
    "NUMBER_FIELD",
    "SEAL_FIELD",
    "SIGNATURE_FIELDS",
    "SIGNING_ORDER",
]

SIGNING_ORDER: dict[str, tuple[str, ...]] = {
    "vote_record": ("ChuToa", "ThuKy", "DauCoQuan"),
    "minutes": ("ChuToa", "ThuKy", "DauCoQuan"),
    "resolution": ("ChuTich", "DauCoQuan"),
}
"""Signature fields per document kind, in signing order: the first certifies, the office seal
(``DauCoQuan``, the clerk with the organisation's certificate, after numbering) comes last."""
SIGNATURE_FIELDS: tuple[str, ...] = SIGNING_ORDER["vote_record"]
"""The signature fields of a vote-result record, in signing order (the chair certifies)."""
SEAL_FIELD = "DauCoQuan"
"""The office seal's signature field, over the left part of the leader's signature."""
NUMBER_FIELD = "SoKyHieu"
"""The text field over the blank of the number, present only when the document is unnumbered."""
DOCUMENT_CODES: dict[str, str] = {
    "vote_record": "/BB-HĐND",
    "minutes": "/BB-HĐND",
    "resolution": "/NQ-HĐND",
}
"""The code printed after the number (or its blank), per document kind."""
NUMBER_CODE = DOCUMENT_CODES["vote_record"]
"""The code printed after the blank of an unnumbered vote-result record."""
NOUNS = {"vote_record": "biên bản", "minutes": "biên bản", "resolution": "nghị quyết"}
"""What each kind of document is called in running text (the QR caption, the field tooltip)."""
