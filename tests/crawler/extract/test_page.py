"""`crawler.extract.page`: the one walk of a page into text blocks, links and region flags."""

from __future__ import annotations

import lxml.html

from crawler.extract.page import (
    BOILER,
    CAPTION,
    NAV,
    RELATED,
    clean_inline,
    flag_for_names,
    remove_keep_tail,
    strip_invisible,
    walk,
)


def test_blocks_links_and_region_flags_of_a_page() -> None:
    doc = lxml.html.document_fromstring(
        "<html><body><nav class='menu'><a href='/'>Beranda</a></nav>"
        "<article><h1>Banjir Rendam Kelurahan</h1><p>SAMARINDA - Air   setinggi lutut.</p>"
        "<div class='baca-juga'><a href='/b'>Berita lain</a></div></article></body></html>")
    page = walk(doc)
    texts = [b.text for b in page.blocks]
    assert texts == ["Beranda", "Banjir Rendam Kelurahan", "SAMARINDA - Air setinggi lutut.",
                     "Berita lain"]
    assert page.blocks[1].heading == 1
    assert page.blocks[0].has_flag(NAV) and page.blocks[3].has_flag(RELATED)
    assert not page.blocks[2].has_flag(NAV)
    assert [(link.href, link.text) for link in page.links] == [("/", "Beranda"),
                                                                ("/b", "Berita lain")]
    article = doc.find(".//article")
    assert [b.text for b in page.blocks_in(article)] == texts[1:]


def test_class_names_map_to_region_flags() -> None:
    assert flag_for_names("widget sidebar") == NAV
    assert flag_for_names("artikel-terkait") == RELATED
    assert flag_for_names("entry-content") is None


def test_class_flags_of_several_words_follow_the_kinds_order_not_the_words() -> None:
    # the kinds are tried in `_CLASS_FLAGS` order over the whole string, whichever word holds
    # the match: a caption box inside a related list is a caption
    assert flag_for_names("box-related img-caption") == CAPTION
    assert flag_for_names("post-41234 share-bar") == BOILER
    assert flag_for_names("status-publish post") is None  # WordPress, not a date
    assert flag_for_names("modal hidden") == BOILER
    assert flag_for_names("entry hidden md:block") is None  # shown again from a breakpoint
    assert flag_for_names("overflow-hidden entry") is None


def test_text_helpers() -> None:
    assert strip_invisible("ban\u200bjir\u00ad") == "banjir"
    assert strip_invisible("banjir") == "banjir"
    assert clean_inline(" Air\u00a0 setinggi\n lutut ") == "Air setinggi lutut"
    doc = lxml.html.fragment_fromstring("<p>satu <span>iklan</span> dua</p>")
    remove_keep_tail(doc.find("span"))
    assert doc.text_content() == "satu  dua"
