"""The PDF fonts cover every Vietnamese letter, register once, and prefer Times New Roman."""

from __future__ import annotations

import ast
import shutil
import unicodedata
from importlib import resources
from pathlib import Path

import pytest
import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from signing import fonts as fonts_module
from signing.fonts import (
    FONT_DIR_ENV,
    VIETNAMESE_SAMPLE,
    FontSet,
    missing_glyphs,
    register_fonts,
)

REPORTLAB_FONTS = Path(reportlab.__file__).resolve().parent / "fonts"
BUNDLED_FILES = Path(str(resources.files("fontpkg_crimson_text"))) / "files"
NAMES = "Nguyễn Thị Ánh Tuyết, Đặng Quốc Hưng, Phạm Ngọc Ửng, Hội đồng nhân dân xã Tân Phú"


def vera_font_set() -> FontSet:
    """Bitstream Vera, shipped with reportlab: Latin-1 only, so it lacks most Vietnamese."""
    for name, file in (("TestVera", "Vera.ttf"), ("TestVera-Bold", "VeraBd.ttf")):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(REPORTLAB_FONTS / file)))
    return FontSet("Vera", "TestVera", "TestVera-Bold", None, None, "Courier-Bold")


def fake_times_dir(folder: Path, regular: Path, bold: Path) -> Path:
    folder.mkdir()
    shutil.copy(regular, folder / "times.ttf")
    shutil.copy(bold, folder / "TimesBD.ttf")
    return folder


def test_sample_holds_each_tone_on_each_vowel_in_both_cases() -> None:
    # 12 vowels with 6 tone marks each, 17 consonants, in lower and upper case
    assert len(VIETNAMESE_SAMPLE) == len(set(VIETNAMESE_SAMPLE)) == 2 * (12 * 6 + 17)
    assert unicodedata.normalize("NFC", VIETNAMESE_SAMPLE) == VIETNAMESE_SAMPLE


def test_sample_holds_every_letter_of_real_names() -> None:
    letters = {char for char in NAMES if char.isalpha()} - set("fjwzFJWZ")
    assert letters <= set(VIETNAMESE_SAMPLE)


def test_bundled_fonts_cover_every_vietnamese_letter() -> None:
    assert missing_glyphs(VIETNAMESE_SAMPLE) == set()


def test_bundled_family_has_regular_bold_and_italics() -> None:
    fonts = register_fonts()
    assert fonts.family == "Crimson Text"
    assert len(set(fonts.text_faces)) == 4
    assert set(fonts.text_faces) <= set(pdfmetrics.getRegisteredFontNames())


def test_registering_twice_returns_the_same_fonts() -> None:
    assert register_fonts() is register_fonts()


def test_missing_glyphs_names_the_letters_a_font_lacks() -> None:
    assert missing_glyphs("Phạm Ngọc Ửng, Hưng", vera_font_set()) == {"ạ", "ọ", "Ử", "ư"}


def test_missing_glyphs_ignores_whitespace_and_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn\tThị\nÁnh")
    assert missing_glyphs(decomposed) == set()


def test_times_new_roman_in_the_font_dir_is_preferred(tmp_path: Path) -> None:
    folder = fake_times_dir(
        tmp_path / "fonts",
        BUNDLED_FILES / "CrimsonText-Regular.ttf",
        BUNDLED_FILES / "CrimsonText-Bold.ttf",
    )
    fonts = register_fonts(folder)
    assert fonts.family == "Times New Roman"
    assert (fonts.italic, fonts.bold_italic) == (None, None)
    assert missing_glyphs(VIETNAMESE_SAMPLE, fonts) == set()


def test_font_dir_is_read_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = fake_times_dir(
        tmp_path / "fonts",
        BUNDLED_FILES / "CrimsonText-Regular.ttf",
        BUNDLED_FILES / "CrimsonText-Bold.ttf",
    )
    monkeypatch.setenv(FONT_DIR_ENV, str(folder))
    assert register_fonts().family == "Times New Roman"


def test_times_new_roman_without_vietnamese_falls_back_to_the_bundled_font(tmp_path: Path) -> None:
    folder = fake_times_dir(
        tmp_path / "fonts", REPORTLAB_FONTS / "Vera.ttf", REPORTLAB_FONTS / "VeraBd.ttf"
    )
    assert register_fonts(folder).family == "Crimson Text"


@pytest.mark.parametrize("content", [[], ["times.ttf"]], ids=["empty", "regular-only"])
def test_font_dir_without_regular_and_bold_falls_back_to_the_bundled_font(
    tmp_path: Path, content: list[str]
) -> None:
    for name in content:
        shutil.copy(BUNDLED_FILES / "CrimsonText-Regular.ttf", tmp_path / name)
    assert register_fonts(tmp_path).family == "Crimson Text"


def test_fonts_module_imports_neither_flask_nor_server() -> None:
    tree = ast.parse(Path(fonts_module.__file__).read_text(encoding="utf-8"))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append(node.module or "")
    assert not [name for name in imported if name.partition(".")[0] in {"flask", "server"}]
