"""The one word count of warta: the item's `word_count`, the normalize pipeline's, the
validation's minimum and the second opinion's measures of a body all use `word_count`."""

from __future__ import annotations

import re
from functools import lru_cache

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
CJK_CHARS_PER_WORD = 2
"""Chinese and Japanese write no spaces: two of their characters count as a word (about an
English word's information)."""


@lru_cache(maxsize=16)
def word_count(text: str | None) -> int:
    """Words in a text: whitespace-separated tokens holding at least one letter or digit (a
    lone dash or bullet is not a word), plus `CJK_CHARS_PER_WORD` Chinese or Japanese
    characters each. Remembered for the last few texts: a page's body is counted by the second
    opinion's doubt and again for the item (~50 us each for a 150-word body)."""
    if not text:
        return 0
    # a plain word (most tokens) is all letters and digits: one C call instead of a loop
    n = sum(1 for token in text.split() if token.isalnum() or any(c.isalnum() for c in token))
    if text.isascii():  # a flag of the string: no scan for Chinese or Japanese characters
        return n
    return n + len(_CJK.findall(text)) // CJK_CHARS_PER_WORD
