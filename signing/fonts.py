"""Fonts for the PDFs the hall prints, with every Vietnamese letter, registered with reportlab.

The project ships Crimson Text (SIL OFL 1.1, PyPI package ``fontpkg-crimson-text``), a serif
whose four static faces cover all 134 toned vowels, ``đ`` and ``Đ``. Decree 30/2020 asks for
Times New Roman in official documents; its files may not be redistributed, so an installation
that owns them points ``HOITRUONG_FONT_DIR`` at a folder holding them and they are used instead,
provided they too cover Vietnamese.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

__all__ = [
    "FONT_DIR_ENV",
    "FontSet",
    "FontUnavailable",
    "VIETNAMESE_SAMPLE",
    "missing_glyphs",
    "register_fonts",
]

logger = logging.getLogger(__name__)

FONT_DIR_ENV = "HOITRUONG_FONT_DIR"

_BUNDLED_PACKAGE = "fontpkg_crimson_text"
_BUNDLED_FAMILY = "Crimson Text"
_BUNDLED_FILES: Mapping[str, str] = {
    "regular": "CrimsonText-Regular.ttf",
    "bold": "CrimsonText-Bold.ttf",
    "italic": "CrimsonText-Italic.ttf",
    "bold_italic": "CrimsonText-BoldItalic.ttf",
}
# The names Times New Roman goes by on Windows, macOS and in the Linux core-fonts packages.
_TIMES_FILES: Mapping[str, tuple[str, ...]] = {
    "regular": ("times.ttf", "times new roman.ttf", "times_new_roman.ttf"),
    "bold": ("timesbd.ttf", "times new roman bold.ttf", "times_new_roman_bold.ttf"),
    "italic": ("timesi.ttf", "times new roman italic.ttf", "times_new_roman_italic.ttf"),
    "bold_italic": (
        "timesbi.ttf",
        "times new roman bold italic.ttf",
        "times_new_roman_bold_italic.ttf",
    ),
}
# Card codes are ASCII, so the PDF standard Courier is enough and every viewer has it.
_MONO = "Courier-Bold"


def _vietnamese_letters() -> str:
    vowels = "aăâeêioôơuưy"
    # grave, acute, tilde, hook above, dot below
    tones = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
    toned = [unicodedata.normalize("NFC", vowel + tone) for vowel in vowels for tone in tones]
    lower = "".join(toned) + "bcdđghklmnpqrstvx"
    return lower + lower.upper()


VIETNAMESE_SAMPLE: str = _vietnamese_letters()
"""Every letter of the Vietnamese alphabet, each tone on each vowel, lower then upper case (NFC)."""


class FontUnavailable(RuntimeError):
    """No font with full Vietnamese coverage could be found or registered."""


@dataclass(frozen=True)
class FontSet:
    """The reportlab names of one registered family, ready for ``canvas.setFont``."""

    family: str
    """The family's human name, e.g. ``"Crimson Text"`` or ``"Times New Roman"``."""
    regular: str
    """The upright face; also the reportlab font family name for ``<b>``/``<i>`` markup."""
    bold: str
    """The bold face."""
    italic: str | None
    """The italic face, or ``None`` when the family has none with full coverage."""
    bold_italic: str | None
    """The bold italic face, or ``None`` when the family has none with full coverage."""
    mono: str
    """A fixed-pitch face for codes; it covers ASCII only, never Vietnamese text."""

    @property
    def text_faces(self) -> tuple[str, ...]:
        """Every face meant for Vietnamese text (all but ``mono``)."""
        faces = (self.regular, self.bold, self.italic, self.bold_italic)
        return tuple(face for face in faces if face is not None)


_lock = threading.Lock()
_registered: dict[Path | None, FontSet] = {}


def register_fonts(font_dir: str | os.PathLike[str] | None = None) -> FontSet:
    """Register the project's fonts with reportlab once and return their names.

    Times New Roman from ``font_dir`` (default: the ``HOITRUONG_FONT_DIR`` environment variable)
    is preferred when its regular and bold faces are there and cover Vietnamese; otherwise the
    bundled Crimson Text is used. Calling again with the same folder returns the same set.
    """
    if font_dir is None:
        font_dir = os.environ.get(FONT_DIR_ENV) or None
    key = Path(font_dir).resolve() if font_dir is not None else None
    with _lock:
        if key not in _registered:
            _registered[key] = _register(key)
        return _registered[key]


def missing_glyphs(text: str, fonts: FontSet | None = None) -> set[str]:
    """The characters of ``text`` that some text face of ``fonts`` (default: the project's) lacks.

    Whitespace and control characters are ignored; ``text`` is compared in NFC, the form
    reportlab looks up.
    """
    fonts = fonts if fonts is not None else register_fonts()
    wanted = {
        char
        for char in unicodedata.normalize("NFC", text)
        if not char.isspace() and unicodedata.category(char)[0] != "C"
    }
    missing: set[str] = set()
    for face in fonts.text_faces:
        cmap = _cmap(face)
        missing |= {char for char in wanted if ord(char) not in cmap}
    return missing


def _register(font_dir: Path | None) -> FontSet:
    if font_dir is not None:
        times = _times_files(font_dir)
        if times is not None:
            # One name per folder, so a second folder is never served the first one's files.
            digest = hashlib.sha1(str(font_dir).encode()).hexdigest()[:8]
            fonts = _register_family("Times New Roman", f"TimesNewRoman_{digest}", times)
            lacking = missing_glyphs(VIETNAMESE_SAMPLE, fonts)
            if not lacking:
                logger.info("Using Times New Roman from %s.", font_dir)
                return fonts
            logger.warning(
                "Times New Roman in %s lacks %d Vietnamese letters (%s); using %s instead.",
                font_dir,
                len(lacking),
                "".join(sorted(lacking)[:10]),
                _BUNDLED_FAMILY,
            )
        else:
            logger.warning(
                "%s=%s holds no Times New Roman regular and bold TTF; using %s.",
                FONT_DIR_ENV,
                font_dir,
                _BUNDLED_FAMILY,
            )
    return _register_family(_BUNDLED_FAMILY, "CrimsonText", _bundled_files())


def _times_files(font_dir: Path) -> dict[str, Path] | None:
    if not font_dir.is_dir():
        return None
    by_name = {path.name.lower(): path for path in font_dir.iterdir() if path.is_file()}
    found: dict[str, Path] = {}
    for style, names in _TIMES_FILES.items():
        match = next((by_name[name] for name in names if name in by_name), None)
        if match is not None:
            found[style] = match
    return found if {"regular", "bold"} <= found.keys() else None


def _bundled_files() -> dict[str, Path]:
    try:
        root = resources.files(_BUNDLED_PACKAGE) / "files"
    except ModuleNotFoundError as exc:
        raise FontUnavailable(
            f"The font package {_BUNDLED_PACKAGE} is not installed; reinstall the project "
            "with its dependencies (pip install -e .)."
        ) from exc
    files = {style: Path(str(root / name)) for style, name in _BUNDLED_FILES.items()}
    absent = [str(path) for path in files.values() if not path.is_file()]
    if absent:
        raise FontUnavailable(f"The bundled font files are missing: {', '.join(absent)}.")
    return files


def _register_family(family: str, prefix: str, files: Mapping[str, Path]) -> FontSet:
    names = {style: _register_face(prefix, style, path) for style, path in files.items()}
    regular, bold = names["regular"], names["bold"]
    italic, bold_italic = names.get("italic"), names.get("bold_italic")
    pdfmetrics.registerFontFamily(
        regular,
        normal=regular,
        bold=bold,
        italic=italic or regular,
        boldItalic=bold_italic or bold,
    )
    return FontSet(
        family=family,
        regular=regular,
        bold=bold,
        italic=italic,
        bold_italic=bold_italic,
        mono=_MONO,
    )


def _register_face(prefix: str, style: str, path: Path) -> str:
    name = prefix if style == "regular" else f"{prefix}-{_camel(style)}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    return name


def _camel(style: str) -> str:
    return "".join(part.capitalize() for part in style.split("_"))


def _cmap(face: str) -> Mapping[int, int]:
    font = pdfmetrics.getFont(face)
    if not isinstance(font, TTFont):
        raise FontUnavailable(f"The font {face} is not a TrueType font, so its glyphs are unknown.")
    cmap: Mapping[int, int] = font.face.charToGlyph
    return cmap
