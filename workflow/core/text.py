"""Cleaning what people type or upload before it is stored and shown (no Flask).

Bidirectional controls make a name display differently from what it is — "a\u202egnp.pdf"
shows as "afdp.png" — and zero-width characters make two names that look alike differ.
Neither belongs in a file name or a title, so both are removed.
"""

from __future__ import annotations

import re
import unicodedata

from workflow.core.errors import InvalidInput

# LRM, RLM, ALM; the embeddings and overrides LRE … RLO; the isolates LRI … PDI;
# zero-width space, non-joiner and joiner, word joiner and invisible operators, BOM.
INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def strip_invisible(text: str | None) -> str:
    """`text` (NFC) without bidi controls and zero-width characters."""
    return INVISIBLE.sub("", unicodedata.normalize("NFC", text or ""))


def clean_title(text: str | None, max_len: int) -> str:
    """A title to store: invisible characters removed, spaces trimmed; InvalidInput when
    nothing is left or it is too long."""
    title = strip_invisible(text).strip()
    if not title:
        raise InvalidInput(
            "Tiêu đề không được để trống (kể cả khi chỉ gồm ký tự vô hình hoặc ký tự điều khiển"
            " hướng chữ)."
        )
    if len(title) > max_len:
        raise InvalidInput(f"Tiêu đề không quá {max_len} ký tự.")
    return title
