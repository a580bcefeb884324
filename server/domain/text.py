"""Text folding for search: "Nghị quyết số 12" and "nghi quyet so 12" match."""
from __future__ import annotations

import re
import unicodedata

__all__ = ["N_", "fold", "search_terms"]

_SPACE = re.compile(r"\s+")
_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower case, no Vietnamese diacritics ("Đ" → "d"), single spaces."""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACE.sub(" ", unicodedata.normalize("NFC", bare).casefold()).strip()


def search_terms(query: str) -> list[str]:
    """The folded words of a query, each to be found somewhere in the folded text."""
    return [term for term in fold(query).split(" ") if term]


def N_(message: str) -> str:  # noqa: N802 - the name gettext tools look for
    """Mark a label for the translation catalogue; the page translates it where it is shown."""
    return message
