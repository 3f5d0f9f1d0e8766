"""The second opinion on the body (crawler/extract/second_opinion.py): when warta's candidate
is in doubt, how trafilatura's candidate is weighed against it, and that warta's own cleaning
applies to whichever wins. Each rule has a case where it fires and one where it must not."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from crawler.extract import extract_article, second_opinion
from crawler.extract.context import parse_html
from crawler.extract.page import Page, walk
from crawler.extract.second_opinion import (
    clean_lines,
    in_doubt,
    matched_blocks,
    prefer_second,
    title_gap,
    words,
)

URL = "https://www.beritakaltim.example/samarinda/2023/05/23/banjir-rendam-samarinda"
FETCHED = datetime(2023, 6, 1, tzinfo=UTC)
P1 = (
    "SAMARINDA, beritakaltim.example - Banjir merendam lima kecamatan di Samarinda sejak "
    "Senin malam setelah hujan deras mengguyur kota selama enam jam tanpa henti."
)
P2 = (
    "Badan Penanggulangan Bencana Daerah mencatat ketinggian air mencapai satu meter di "
    "kawasan Sempaja dan ratusan warga terpaksa mengungsi ke masjid terdekat."
)


def _more(n: int) -> list[str]:
    return [
        f"Paragraf lanjutan nomor {i} menjelaskan dampak banjir terhadap warga, sekolah dan "
        f"pasar di kawasan hilir sungai yang tergenang sejak awal pekan ini."
        for i in range(n)
    ]


def _page(more: list[str]) -> str:
    boxes = "".join(f"<div><span>{m}</span></div>" for m in more)
    return (
        "<html><head><title>Banjir</title></head><body>"
        "<h1>Banjir Rendam Lima Kecamatan di Samarinda</h1>"
        '<div class="date">Selasa, 23 Mei 2023 | 10:15 WITA</div>'
        f'<div class="entry"><p>{P1}</p><p>{P2}</p></div>'
        '<p><a href="/x">Baca Juga: Jalan Putus di Kutai Barat</a></p>'
        f'<div class="box">{boxes}</div></body></html>'
    )


def _text(n_words: int, word: str = "kata") -> str:
    return " ".join(f"{word}{i}" for i in range(n_words))


# -- when warta's candidate is in doubt ---------------------------------------------------------


def _walked(html: str) -> Page:
    doc = parse_html(html)
    assert doc is not None
    return walk(doc)


def test_an_empty_or_short_body_is_in_doubt_and_a_full_one_is_not() -> None:
    page = _walked(f"<html><body><article><p>{P1}</p></article></body></html>")
    root = page.blocks[0].container.getparent()
    assert in_doubt(page, root, None) == "empty"
    assert in_doubt(page, root, _text(second_opinion.DOUBT_MIN_WORDS - 1)) == "short"
    assert in_doubt(page, root, _text(second_opinion.DOUBT_MIN_WORDS)) is None


def test_a_root_far_below_the_title_or_above_it_is_in_doubt_but_one_below_it_is_not() -> None:
    page = _walked(f"<html><body><article><p>{P1}</p></article></body></html>")
    root = page.blocks[0].container.getparent()
    body = _text(second_opinion.DOUBT_MIN_WORDS)
    far = second_opinion.DOUBT_MAX_TITLE_GAP + 1
    assert in_doubt(page, root, body, title_index=0, root_lines=(far, far + 5)) == "far"
    assert in_doubt(page, root, body, title_index=10, root_lines=(2, 8)) == "far"
    assert in_doubt(page, root, body, title_index=0, root_lines=(3, 40)) is None


def test_a_root_that_leaves_most_of_the_pages_prose_out_is_in_doubt() -> None:
    html = (
        f"<html><body><div id='a'><p>{P1}</p></div>"
        f"<div id='b'>{''.join(f'<p>{m}</p>' for m in _more(4))}</div></body></html>"
    )
    page = _walked(html)
    small = page.blocks[0].container.getparent()
    large = page.blocks[-1].container.getparent()
    body = _text(second_opinion.DOUBT_MIN_WORDS)
    assert in_doubt(page, small, body) == "share"
    assert in_doubt(page, large, body) is None


def test_chinese_and_japanese_are_measured_without_spaces() -> None:
    japanese = "気象庁は13日、午後9時19分ごろ、日向灘で震度5弱の地震があったと発表した。"
    assert words(japanese) > 10
    assert words("dua kata") == 2  # negative: spaced text counts its words only


# -- the decision -------------------------------------------------------------------------------


def test_agreeing_candidates_keep_wartas_reading() -> None:
    mine = _text(300)
    theirs = _text(290)  # the same text, a little shorter
    assert not prefer_second(mine, theirs)


def test_a_body_that_is_part_of_a_longer_second_opinion_loses_to_it() -> None:
    part = _text(100)
    assert prefer_second(part, part + " " + _text(200, "lanjut"))
    # negative: theirs holds warta's but is hardly longer (a caption more): warta's stays
    assert not prefer_second(part, part + " " + _text(20, "lanjut"))


def test_disjoint_candidates_are_decided_by_the_one_nearer_below_the_title() -> None:
    mine, theirs = _text(300, "sidebar"), _text(250, "artikel")
    assert prefer_second(mine, theirs, mine_gap=60, theirs_gap=3)
    assert not prefer_second(mine, theirs, mine_gap=3, theirs_gap=60)
    # without the title: only a much longer second opinion wins
    assert prefer_second(_text(100, "teaser"), _text(300, "artikel"))
    assert not prefer_second(_text(200, "teaser"), _text(300, "artikel"))


def test_a_fragment_never_wins_but_anything_beats_nothing() -> None:
    assert not prefer_second("", _text(second_opinion.MIN_WORDS - 1))
    assert prefer_second(None, _text(second_opinion.MIN_WORDS))


def test_title_gap_counts_lines_to_the_first_line_below_the_title() -> None:
    assert title_gap(5, [2, 3, 9, 12]) == 4
    assert title_gap(5, [1, 2]) is None  # negative: nothing below the title
    assert title_gap(None, [9]) is None


# -- warta's cleaning applies to the second opinion ---------------------------------------------


def test_short_lines_match_only_whole_lines_of_the_second_opinion() -> None:
    page = _walked(f"<html><body><p>{P1}</p><p>Foto</p><p>Samarinda</p></body></html>")
    found = [b.text for b in matched_blocks(page, [P1 + " Foto", "Samarinda"])]
    assert found == [P1, "Samarinda"]  # `Foto` is inside a line of theirs, not one of them


def test_bare_lines_lose_dateline_signoff_and_baca_juga() -> None:
    lines = ["SAMARINDA - " + P2, "Baca Juga: Jalan Putus di Kutai Barat", P2 + " (*/han)"]
    body = clean_lines(lines)
    assert body is not None
    assert body.startswith("Badan Penanggulangan")
    assert "Baca Juga" not in body
    assert "(*/han)" not in body
    assert clean_lines([P2]) == P2  # negative: a plain paragraph stays as it is


def test_the_second_opinion_wins_a_short_body_and_is_cleaned_by_warta(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    more = _more(4)
    lines = [P1, P2, "Baca Juga: Jalan Putus di Kutai Barat", *more]
    monkeypatch.setattr(second_opinion, "trafilatura_lines", lambda html, url, full=False: lines)
    result = extract_article(_page(more), URL, fetched_at=FETCHED)
    assert result["provenance"]["body"] == "trafilatura"
    assert result["dateline"] == "SAMARINDA"
    assert result["body"].split("\n\n") == [P1.split(" - ", 1)[1], P2, *more]


def test_a_body_not_in_doubt_never_asks_for_a_second_opinion(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(html: str, url: str, full: bool = False) -> list[str]:
        raise AssertionError("asked")

    monkeypatch.setattr(second_opinion, "trafilatura_lines", fail)
    paragraphs = "".join(f"<p>{m}</p>" for m in [P1, P2, *_more(8)])
    html = f"<html><body><h1>Banjir</h1><div class='entry'>{paragraphs}</div></body></html>"
    result = extract_article(html, URL, fetched_at=FETCHED)
    assert result["provenance"]["body"] == "generic"


def test_trafilatura_is_not_imported_until_a_body_is_in_doubt() -> None:
    code = (
        "import sys\n"
        "from crawler.extract import extract_article\n"
        f"paragraphs = ''.join('<p>' + p + '</p>' for p in {[P1, P2, *_more(8)]!r})\n"
        "extract_article('<html><body><h1>Banjir</h1><div>' + paragraphs + '</div></body>"
        "</html>', 'https://a.example/x')\n"
        "print('trafilatura' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_japanese_paragraph_ending_in_a_full_stop_stays_in_the_body() -> None:
    text = "気象庁は13日、午後9時19分ごろ、日向灘で震度5弱の地震があったと発表した。" * 8
    html = f"<html><body><h1>地震</h1><article><p>{text}</p><p>関連記事</p></article></body></html>"
    result = extract_article(html, "https://a.example/x", fetched_at=FETCHED)
    assert result["body"] == text  # the trailing label `関連記事` (no full stop) still goes
