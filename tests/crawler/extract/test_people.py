"""Authors, editor and reporter (crawler/extract/people.py)."""

from __future__ import annotations

import pytest

from crawler.sites import parse_profile
from tests.crawler.extract.pagekit import extract, page


@pytest.mark.parametrize(
    "line",
    [
        "Rina Wulandari, Jurnalis · Selasa, 23 Mei 2023 - 10:15 WITA",
        "Rina Wulandari Selasa, 23 Mei 2023 - 10:15 WITA",
    ],
)
def test_a_byline_that_also_shows_the_date_gives_the_writer_and_the_date(line: str) -> None:
    result = extract(page(meta_line=f'<div class="reporter">{line}</div>'))
    assert result["authors"] == ["Rina Wulandari"]
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert "Rina" not in result["body"]


def test_staff_lines_after_the_body_give_author_and_editor_and_leave_the_body() -> None:
    after = '<p class="credit">Pewarta: Rina Wulandari</p><p>Editor: Hendra Saputra</p>'
    result = extract(page(after=after))
    assert result["authors"] == ["Rina Wulandari"]
    assert result["reporter"] == "Rina Wulandari"
    assert result["editor"] == "Hendra Saputra"
    assert "Pewarta" not in result["body"] and "Editor" not in result["body"]


def test_a_byline_element_by_the_title() -> None:
    line = (
        '<div class="meta"><span class="author">Rina Wulandari - Berita Kaltim</span>'
        '<span class="date">Selasa, 23 Mei 2023 | 10:15 WITA</span></div>'
    )
    result = extract(page(meta_line=line))
    assert result["authors"] == ["Rina Wulandari"]
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"


def test_meta_author_naming_the_outlet_is_not_a_person() -> None:
    head = '<meta name="author" content="Berita Kaltim Media Group">'
    after = "<p>Penulis: Rina Wulandari</p>"
    result = extract(
        page(head=head, after=after),
        profile=parse_profile(
            "beritakaltim",
            {
                "name": "Berita Kaltim",
                "timezone": "Asia/Makassar",
                "homepage": "https://www.beritakaltim.example/",
            },
        ),
    )
    assert result["authors"] == ["Rina Wulandari"]


@pytest.mark.parametrize(
    ("credit", "site_head"),
    [
        ("Berita Kaltim", '<meta property="og:site_name" content="Berita Kaltim">'),
        ("beritakaltim.example", ""),
        ("BERITAKALTIM Nachrichten", ""),
        ("BKO", '<meta property="og:site_name" content="Berita Kaltim Online">'),
        ("KALTIMNET", '<meta property="og:site_name" content="KaltimNet Samarinda">'),
        (
            "Kaltim Media",
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x",'
            ' "publisher": {"@type": "Organization", "name": "Kaltim Media"}}</script>',
        ),
    ],
)
def test_the_outlet_is_never_an_author_whatever_stage_names_it(
    credit: str, site_head: str
) -> None:
    head = f'<meta name="author" content="{credit}">{site_head}'
    result = extract(page(head=head, after="<p>Penulis: Rina Wulandari</p>"))
    assert result["authors"] == ["Rina Wulandari"]


def test_a_person_named_like_a_word_of_the_outlet_stays_an_author() -> None:
    site = '<meta property="og:site_name" content="Berita Kaltim">'
    result = extract(page(head=site + '<meta name="author" content="Rina Kaltim">'))
    assert result["authors"] == ["Rina Kaltim"]
    result = extract(page(head=site + '<meta name="author" content="BK">'))
    assert result["authors"] == ["BK"]  # two letters are too few to tell


@pytest.mark.parametrize(
    ("credit", "names"),
    [
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("von Anna Martel und Lea Wagner", ["Anna Martel", "Lea Wagner"]),
        ("Corina Gall (cog.)", ["Corina Gall"]),
        ("Ursula von der Leyen", ["Ursula von der Leyen"]),
        ("Von der Leyen", ["Von der Leyen"]),
    ],
)
def test_byline_words_and_codes_are_cut_from_names(credit: str, names: list[str]) -> None:
    result = extract(page(head=f'<meta name="author" content="{credit}">'))
    assert result["authors"] == names


def test_a_plain_by_line_by_the_title_gives_the_authors() -> None:
    line = '<p class="meta-info">By Jane Doe and John Roe</p>'
    result = extract(page(meta_line=line + '<div class="date">Selasa, 23 Mei 2023</div>'))
    assert (result["authors"], result["provenance"]["authors"]) == (
        ["Jane Doe", "John Roe"],
        "text",
    )


@pytest.mark.parametrize("line", ["By the river, a town waits", "Oleh karena itu warga mengungsi"])
def test_a_sentence_opening_with_by_is_not_a_byline(line: str) -> None:
    result = extract(page(meta_line=f"<p>{line}</p>"))
    assert result["authors"] == []


def test_a_second_meta_author_after_the_outlet_is_read() -> None:
    head = (
        '<meta property="og:site_name" content="Berita Kaltim">'
        '<meta name="author" content="Berita Kaltim"><meta name="author" content="Rina Wulandari">'
    )
    assert extract(page(head=head))["authors"] == ["Rina Wulandari"]


def _ld_author(author: str) -> str:
    return (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x",'
        f' "author": {author}}}</script>'
    )


@pytest.mark.parametrize(
    ("author", "credit"),
    [
        ('{"@type": "Organization", "name": "AFP"}', ["AFP"]),
        ('{"@type": "Person", "name": "Berita Kaltim"}', ["Berita Kaltim"]),
        ('["Associated Press"]', ["Associated Press"]),
    ],
)
def test_without_a_person_the_declared_credit_is_the_author(
    author: str, credit: list[str]
) -> None:
    site = '<meta property="og:site_name" content="Berita Kaltim">'
    result = extract(page(head=site + _ld_author(author)))
    assert (result["authors"], result["provenance"]["authors"]) == (credit, "jsonld")


def test_a_person_named_anywhere_beats_the_declared_organization() -> None:
    head = _ld_author('{"@type": "Organization", "name": "Berita Kaltim"}')
    result = extract(page(head=head, after="<p>Penulis: Rina Wulandari</p>"))
    assert result["authors"] == ["Rina Wulandari"]


@pytest.mark.parametrize("credit", ["admin", "105092"])
def test_a_cms_account_or_an_id_is_no_declared_credit(credit: str) -> None:
    result = extract(page(head=f'<meta name="author" content="{credit}">'))
    assert result["authors"] == []


def test_a_person_given_as_given_and_family_name() -> None:
    head = _ld_author('[{"@type": "Person", "givenName": "Rina", "familyName": "Wulandari"}]')
    assert extract(page(head=head))["authors"] == ["Rina Wulandari"]


@pytest.mark.parametrize(
    ("credit", "names"), [("신현주 기자", ["신현주"]), ("신현주", ["신현주"])]
)
def test_the_korean_reporter_title_is_cut_from_the_name(credit: str, names: list[str]) -> None:
    result = extract(page(head=f'<meta name="author" content="{credit}">'))
    assert result["authors"] == names


def test_a_picture_credit_with_its_label_is_no_author() -> None:
    line = '<p class="meta-info">By Bild: APA/Jane Doe</p>'
    assert extract(page(meta_line=line))["authors"] == []
    line = '<p class="meta-info">By Jane Doe</p>'
    assert extract(page(meta_line=line))["authors"] == ["Jane Doe"]
