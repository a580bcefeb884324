"""The form fields the signers need, added with pyHanko because reportlab cannot create
signature fields: one signature field per signer in signing order, and, on an unnumbered
document, the text field ``SoKyHieu`` over the blank of the number."""

from __future__ import annotations

import io
from collections.abc import Callable

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import SigFieldSpec, append_signature_field

from signing.render.constants import NOUNS, NUMBER_FIELD, SIGNING_ORDER
from signing.render.engine import Box

__all__ = ["add_fields"]

# pyHanko's PDF object constructors are unannotated; these typed names keep mypy strict here.
_dict_object: Callable[..., generic.DictionaryObject] = generic.DictionaryObject
_float_object: Callable[[float], generic.FloatObject] = generic.FloatObject
_number_object: Callable[[int], generic.NumberObject] = generic.NumberObject


def add_fields(
    pdf: bytes, kind: str, field_page: int, signatures: dict[str, Box], number: Box | None
) -> bytes:
    """``pdf`` with the signature fields of ``kind`` on ``field_page`` and, when ``number`` is
    given, the number field on the first page, in one incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    for name in SIGNING_ORDER[kind]:
        spec = SigFieldSpec(sig_field_name=name, on_page=field_page, box=_int_box(signatures[name]))
        append_signature_field(writer, spec)
    if number is not None:
        _add_text_field(writer, NUMBER_FIELD, f"Số của {NOUNS[kind]}", 0, number)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def _int_box(box: Box) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = box
    return round(x1), round(y1), round(x2), round(y2)


def _add_text_field(
    writer: IncrementalPdfFileWriter, name: str, tooltip: str, page_index: int, box: Box
) -> None:
    """A text field (merged with its widget) for the number, appended to /AcroForm /Fields."""
    page_ref = writer.find_page_for_modification(page_index)[0]  # type: ignore[no-untyped-call]
    font = writer.add_object(_times_roman())
    field_ref = writer.add_object(_text_field(writer, name, tooltip, page_ref, box))
    _append_annotation(writer, page_ref.get_object(), field_ref)
    form = writer.root["/AcroForm"]
    form["/Fields"].append(field_ref)
    resources = form.setdefault(generic.NameObject("/DR"), _dict_object())
    fonts = resources.setdefault(generic.NameObject("/Font"), _dict_object())
    fonts[generic.NameObject("/TiRo")] = font
    writer.update_container(form)


def _times_roman() -> generic.DictionaryObject:
    return _dict_object(
        {
            generic.NameObject("/Type"): generic.NameObject("/Font"),
            generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
            generic.NameObject("/BaseFont"): generic.NameObject("/Times-Roman"),
            generic.NameObject("/Encoding"): generic.NameObject("/WinAnsiEncoding"),
        }
    )


def _text_field(
    writer: IncrementalPdfFileWriter,
    name: str,
    tooltip: str,
    page_ref: generic.IndirectObject,
    box: Box,
) -> generic.DictionaryObject:
    """The field merged with its widget, empty, centred, in 13 pt Times."""
    return _dict_object(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
            generic.NameObject("/FT"): generic.NameObject("/Tx"),
            generic.NameObject("/T"): generic.pdf_string(name),
            generic.NameObject("/TU"): generic.pdf_string(tooltip),
            generic.NameObject("/Rect"): generic.ArrayObject([_float_object(v) for v in box]),
            generic.NameObject("/F"): _number_object(4),
            generic.NameObject("/P"): page_ref,
            generic.NameObject("/Q"): _number_object(1),
            generic.NameObject("/DA"): generic.pdf_string("/TiRo 13 Tf 0 g"),
            generic.NameObject("/V"): generic.pdf_string(""),
            generic.NameObject("/AP"): _dict_object(
                {generic.NameObject("/N"): writer.add_object(_empty_appearance(box))}
            ),
        }
    )


def _append_annotation(
    writer: IncrementalPdfFileWriter,
    page: generic.DictionaryObject,
    annotation: generic.IndirectObject,
) -> None:
    annots = page.get("/Annots")
    if annots is None:
        page[generic.NameObject("/Annots")] = generic.ArrayObject([annotation])
    else:
        annots.get_object().append(annotation)
        if isinstance(annots, generic.IndirectObject):
            writer.mark_update(annots)
    writer.update_container(page)


def _empty_appearance(box: Box) -> generic.StreamObject:
    x1, y1, x2, y2 = box
    return generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): generic.ArrayObject(
                [_float_object(0), _float_object(0), _float_object(x2 - x1), _float_object(y2 - y1)]
            ),
            generic.NameObject("/Resources"): _dict_object(),
        },
        stream_data=b"/Tx BMC EMC",
    )

