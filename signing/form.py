"""Fill the number of a record (``Số: 12/BB-HĐND``) after the chair has certified it.

Decree 30/2020 numbers a document when it is issued, after the leader signs, so the number is a
form fill in an incremental update: the certifying signature allows it (DocMDP P=2) and stays
valid. The field gets a real appearance stream in the stamp font (which covers every Vietnamese
letter), so every viewer prints the number, not only those that regenerate appearances.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from io import BytesIO
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError

from signing.errors import FieldAlreadyFilled, FieldMissing, NotOurPdf
from signing.sign import stamp_font_bytes

__all__ = ["fill_number"]

logger = logging.getLogger(__name__)

_FONT_SIZE = 13
"""The body size of the record, so the number matches the printed ``/BB-HĐND`` after it."""
_BASELINE = 3.0
"""Where render.py puts the text baseline inside the field (the box starts 3 pt below it)."""
_FONT_NAME = "/SoKyHieuFont"

_dict_object: Callable[..., generic.DictionaryObject] = generic.DictionaryObject
_float_object: Callable[[float], generic.FloatObject] = generic.FloatObject
_number_object: Callable[[int], generic.NumberObject] = generic.NumberObject


def fill_number(pdf: bytes, number: str, *, field_name: str = "SoKyHieu") -> bytes:
    """Write ``number`` into the empty text field ``field_name`` and return the updated PDF.

    The result is ``pdf`` followed by an incremental update, so signatures made before stay
    valid. Raises :class:`~signing.errors.FieldMissing` when the field does not exist and
    :class:`~signing.errors.FieldAlreadyFilled` when it already holds a number.
    """
    number = " ".join(number.split())
    if not number:
        raise FieldMissing("Số của văn bản không được để trống.")
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except (PdfError, ValueError, IndexError, KeyError) as exc:
        raise NotOurPdf() from exc
    field_ref = _find_text_field(writer, field_name)
    field = field_ref.get_object()
    current = field.get("/V")
    if current is not None and str(current).strip():
        raise FieldAlreadyFilled(
            f"Ô {field_name} đã có số “{current}”; không thể điền lại."
        )
    box = [float(v) for v in field["/Rect"]]
    appearance = _appearance(writer, number, box[2] - box[0], box[3] - box[1])
    field[generic.NameObject("/V")] = generic.pdf_string(number)
    field[generic.NameObject("/AP")] = _dict_object(
        {generic.NameObject("/N"): writer.add_object(appearance)}
    )
    writer.mark_update(field_ref)
    out = BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    logger.info("Filled %s with %s", field_name, number)
    return out.getvalue()


def _find_text_field(writer: IncrementalPdfFileWriter, field_name: str) -> Any:
    """The reference of the top-level text field ``field_name`` (its widget merged in)."""
    try:
        fields = writer.root["/AcroForm"]["/Fields"]
    except KeyError:
        fields = []
    for ref in fields:
        field = ref.get_object()
        if str(field.get("/T", "")) != field_name:
            continue
        if field.get("/FT") != "/Tx" or "/Rect" not in field:
            raise FieldMissing(f"Ô {field_name} không phải là ô nhập số của văn bản.")
        return ref
    raise FieldMissing(f"Tài liệu không có ô {field_name} để điền số.")


def _appearance(
    writer: IncrementalPdfFileWriter, text: str, width: float, height: float
) -> generic.StreamObject:
    """A form XObject drawing ``text`` centred on the record's baseline, in the stamp font."""
    engine = GlyphAccumulator(writer, BytesIO(stamp_font_bytes()), _FONT_SIZE)
    shaped = engine.shape(text)
    x = max(0.0, (width - shaped.x_advance * _FONT_SIZE) / 2)
    font_name = _FONT_NAME.encode("ascii")
    content = b" ".join([
        b"/Tx BMC q BT",
        b"%s %d Tf 0 g" % (font_name, _FONT_SIZE),
        b"%g %g Td" % (round(x, 2), _BASELINE),
        shaped.graphics_ops,
        b"ET Q EMC",
    ])
    resources = _dict_object({
        generic.NameObject("/Font"): _dict_object(
            {generic.NameObject(_FONT_NAME): engine.as_resource()}
        )
    })
    return generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): generic.ArrayObject(
                [_float_object(0), _float_object(0), _float_object(width), _float_object(height)]
            ),
            generic.NameObject("/Resources"): resources,
        },
        stream_data=content,
    )
