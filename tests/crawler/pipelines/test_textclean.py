"""The normalize pipeline's text functions (`crawler.pipelines.textclean`)."""

from __future__ import annotations

import pytest

from crawler.pipelines.textclean import (
    _CLEAN,
    clean_body,
    clean_text,
    count_words,
    with_offset,
)
from tests.crawler.pipelines.pipekit import PROFILE


def test_clean_text_removes_invisible_characters_entities_and_extra_space() -> None:
    text = "  Wali\u00a0Kota &amp; Wakil\u200b Wali Kota\u00ad Samarinda\n\tmeninjau  "
    assert clean_text(text) == "Wali Kota & Wakil Wali Kota Samarinda meninjau"


def test_clean_text_composes_unicode() -> None:
    decomposed = "Andre\u0301s"  # e + combining acute
    assert clean_text(decomposed) == "Andrés"
    assert len(clean_text(decomposed)) == 6


def test_clean_body_keeps_paragraphs_separated_by_one_blank_line() -> None:
    body = "Paragraf satu\nberlanjut.\r\n\r\n\r\n  \n\u200bParagraf dua.\n\n\n"
    assert clean_body(body) == "Paragraf satu berlanjut.\n\nParagraf dua."


@pytest.mark.parametrize("code", sorted(_CLEAN))
def test_each_invisible_or_control_character_leaves_a_long_body(code: int) -> None:
    """The clean-up looks for these characters before it replaces them: none may slip by,
    wherever it sits in a body of kilobytes."""
    body = "Paragraf panjang. " * 300 + f"Kata{chr(code)}"
    cleaned = clean_body(body)
    assert chr(code) not in cleaned
    assert cleaned.rstrip() == ("Paragraf panjang. " * 300 + "Kata").rstrip()


def test_word_count_ignores_lone_punctuation() -> None:
    assert count_words("SAMARINDA – Banjir  merendam 3 kelurahan, kata BPBD.") == 7


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-01-20T08:15:00", "2024-01-20T08:15:00+08:00"),
    ("2024-01-20T08:15:00+07:00", "2024-01-20T08:15:00+07:00"),
    ("Selasa (23/5)", None),
    (None, None),
])
def test_dates_without_offset_take_the_outlet_zone(value: str | None,
                                                   expected: str | None) -> None:
    assert with_offset(value, PROFILE.tz) == expected
