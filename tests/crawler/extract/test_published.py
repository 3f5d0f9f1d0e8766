"""Publication and modification dates (crawler/extract/published.py, stamps.py)."""

from __future__ import annotations

import pytest

from crawler.sites import parse_profile
from tests.crawler.extract.pagekit import WP_META, extract, page


def test_without_a_profile_a_time_without_zone_is_wib() -> None:
    result = extract(page(meta_line='<div class="date">Selasa, 23 Mei 2023 10:15</div>'))
    assert result["published_at"] == "2023-05-23T10:15:00+07:00"


def test_with_a_profile_a_time_without_zone_takes_the_outlets_zone() -> None:
    profile = parse_profile(
        "beritakaltim",
        {
            "name": "Berita Kaltim",
            "timezone": "Asia/Makassar",
            "homepage": "https://www.beritakaltim.example/",
        },
    )
    result = extract(
        page(meta_line='<div class="date">Selasa, 23 Mei 2023 10:15</div>'), profile=profile
    )
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"


def test_opengraph_article_meta() -> None:
    head = (
        '<meta property="og:title" content="Banjir Rendam Lima Kecamatan di Samarinda - Berita'
        ' Kaltim"><meta property="article:published_time" content="2023-05-23T02:15:00Z">'
        '<meta property="article:section" content="Samarinda">'
        '<meta property="article:tag" content="Banjir">'
    )
    result = extract(page(head=head, meta_line=""))
    assert result["published_at"] == "2023-05-23T09:15:00+07:00"  # UTC shown in WIB
    assert result["title"] == "Banjir Rendam Lima Kecamatan di Samarinda"
    assert result["provenance"]["published_at"] == "opengraph"
    assert result["tags"] == ["Banjir"]


def test_a_utc_instant_is_written_in_the_outlets_zone() -> None:
    head = '<meta property="article:published_time" content="2023-05-23T02:15:00+00:00">'
    profile = parse_profile(
        "beritakaltim",
        {
            "name": "Berita Kaltim",
            "timezone": "Asia/Makassar",
            "homepage": "https://www.beritakaltim.example/",
        },
    )
    result = extract(page(head=head, meta_line=""), profile=profile)
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"


def test_time_element_with_datetime() -> None:
    line = (
        '<time itemprop="datePublished" datetime="2023-05-23T10:15:00+08:00">'
        "Selasa, 23 Mei 2023</time>"
    )
    result = extract(page(meta_line=line))
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["provenance"]["published_at"] == "time"


def test_a_plain_time_element_in_the_entry_meta_gives_the_instant() -> None:
    # WordPress without an SEO plugin: no `article:published_time`, only the theme's <time>
    result = extract(page(meta_line=WP_META))
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["published_precision"] == "time"
    assert result["published_raw"] == "23 Mei 2023"
    assert result["provenance"]["published_at"] == "time"


def test_the_updated_time_beside_the_published_one_is_the_modification_date() -> None:
    result = extract(page(meta_line=WP_META))
    assert result["modified_at"] == "2023-05-24T08:00:00+08:00"
    assert result["provenance"]["modified_at"] == "time"


def test_an_hatom_abbr_gives_the_instant() -> None:
    line = (
        '<div class="post-meta">Diposting oleh Rina pada <abbr class="published" '
        'title="2023-05-23T10:15:00+08:00">Selasa, 23 Mei 2023</abbr></div>'
    )
    result = extract(page(meta_line=line))
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["published_precision"] == "time"


def test_a_lone_updated_time_is_the_publication_date() -> None:
    # tagDiv Newspaper and Liputan6 class their only date `entry-date updated`
    line = (
        '<span class="td-post-date"><time class="entry-date updated td-module-date" '
        'datetime="2023-05-23T10:15:00+08:00">23 Mei 2023</time></span>'
    )
    result = extract(page(meta_line=line))
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["modified_at"] is None


def test_a_time_element_in_a_sidebar_list_does_not_date_the_article() -> None:
    aside = (
        '<aside class="sidebar"><ul><li><a href="/samarinda/2023/04/01/lain">Berita lain</a> '
        '<time datetime="2023-04-01T09:00:00+08:00">1 April 2023</time></li></ul></aside>'
    )
    result = extract(page(meta_line="", after=aside))
    assert result["published_at"] != "2023-04-01T09:00:00+08:00"


def test_a_time_element_does_not_override_the_structured_date() -> None:
    head = '<meta property="article:published_time" content="2023-05-23T10:15:00+08:00">'
    line = (
        '<time class="entry-date published" datetime="2023-05-23T16:40:00+08:00">'
        "23 Mei 2023</time>"
    )
    result = extract(page(head=head, meta_line=line))
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["provenance"]["published_at"] == "opengraph"


def test_local_time_labelled_utc_in_markup_takes_the_shown_zone() -> None:
    head = '<meta name="pubdate" content="2023-05-23 T10:15:42Z" itemprop="datePublished">'
    result = extract(page(head=head))
    assert result["published_at"] == "2023-05-23T10:15:42+08:00"


def test_a_shown_date_that_disagrees_with_markup_wins() -> None:
    head = '<meta content="2023-05-23T16:00:00+08:00" itemprop="datePublished">'
    result = extract(page(head=head))
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"


@pytest.mark.parametrize("stored", ["2023-05-23", "2023-05-23T00:00:00+08:00"])
def test_a_day_only_markup_date_gives_way_to_the_time_the_page_shows(stored: str) -> None:
    head = f'<meta property="article:published_time" content="{stored}">'
    line = '<div class="date">Selasa, 23 Mei 2023 10:15</div>'
    result = extract(page(head=head, meta_line=line), profile=parse_profile("bk", {
        "name": "Berita Kaltim", "homepage": "https://www.beritakaltim.example/",
        "timezone": "Asia/Makassar"}))
    assert (result["published_at"], result["published_precision"]) == (
        "2023-05-23T10:15:00+08:00",
        "time",
    )


def test_a_publish_meta_named_by_the_cms_dates_the_page() -> None:
    head = (
        '<meta name="content_PublishedDate" content="2023/05/23 10:15:31">'
        '<meta name="content_LastUpdatedDate" content="2023/05/24 08:00:00">'
    )
    result = extract(page(head=head, meta_line=""))
    assert result["published_at"] == "2023-05-23T10:15:31+07:00"
    assert result["provenance"]["published_at"] == "meta"


@pytest.mark.parametrize(
    "clock",
    [
        '<header class="header-nn"><div>Kamis, 1 Jun 2023</div></header>',
        '<div class="tgl-hari-ini">Kamis, 1 Jun 2023</div>',
    ],
)
def test_todays_date_in_the_site_header_is_not_the_publication_date(clock: str) -> None:
    html = page(meta_line="").replace("<body>", "<body>" + clock, 1)
    result = extract(html)
    assert (result["published_at"], result["published_precision"]) == (
        "2023-05-23T00:00:00+07:00",  # the URL's date, not the header's clock
        "day",
    )


def test_an_unmodified_page_has_no_modified_at() -> None:
    head = (
        '<meta property="article:published_time" content="2023-05-23T10:15:00+08:00">'
        '<meta property="article:modified_time" content="2023-05-23T10:15:00+08:00">'
    )
    assert extract(page(head=head))["modified_at"] is None


def test_without_a_shown_date_the_urls_date_path_gives_the_day() -> None:
    result = extract(page(meta_line=""))
    assert result["published_at"] == "2023-05-23T00:00:00+07:00"
    assert result["provenance"]["published_at"] == "url"


def test_without_any_date_the_first_paragraphs_weekday_date_is_used() -> None:
    result = extract(
        page(meta_line=""), url="https://www.beritakaltim.example/berita/banjir-samarinda"
    )
    assert result["published_at"] == "2023-05-23T00:00:00+07:00"
    assert result["provenance"]["published_at"] == "text"


def test_a_date_line_without_year_takes_it_from_the_url() -> None:
    result = extract(page(meta_line='<div class="tgl">Selasa (23/5) 10.15 WITA</div>'))
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["published_raw"] == "Selasa (23/5) 10.15 WITA"


ENGLISH_PARAGRAPHS = [
    "The city council voted on Tuesday night to approve the new transit plan after hours of "
    "public comment from residents who packed the chamber.",
    "Supporters said the plan would cut commute times, while opponents worried about the cost "
    "and the years of construction it would bring to the downtown streets.",
]


@pytest.mark.parametrize(
    ("declared", "published_at"),
    [  # the same instant declared with the publisher's offset: the day its readers saw
        ("2023-11-08T18:09:55-07:00", "2023-11-08T18:09:55-07:00"),
        # another instant (a modification time) says nothing about the zone: UTC kept
        ("2023-11-08T19:30:00-07:00", "2023-11-09T01:09:55+00:00"),
    ],
)
def test_a_utc_instant_is_written_in_the_offset_the_page_declares_for_it(
    declared: str, published_at: str
) -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x",'
        ' "datePublished": "2023-11-09T01:09:55Z"}</script>'
        f'<meta property="article:modified_time" content="{declared}">'
    )
    html = page(head=head, lang="en", paragraphs=ENGLISH_PARAGRAPHS, meta_line="")
    result = extract(html, url="https://news.example.com/2023/transit-plan")
    assert result["published_at"] == published_at


# --- pages without a profile that are not Indonesian (crawler/extract/date_fallback.py) ---

_EN_URL = "https://blog.example.org/flood"
_ENGLISH = (
    "The council said the river rose two metres overnight and hundreds of residents left "
    "their homes for the mosque, where volunteers had set up a kitchen. "
) * 6


def _en_page(head: str = "", meta: str = "") -> str:
    return (
        f'<html lang="en"><head><title>Flood</title>{head}</head><body><h1>River floods '
        f"the town</h1>{meta}<article><p>{_ENGLISH}</p></article></body></html>"
    )


def _ld(published: str) -> str:
    return (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        f'"datePublished": "{published}"}}</script>'
    )


@pytest.mark.parametrize(
    ("shown", "published_at"),
    [
        # the shown wall clock is the instant in -08:00: the publisher's offset, read off the page
        ("Nov 8, 2023 / 10:35 PM", "2023-11-08T22:35:29-08:00"),
        # +05:30 is an offset in use
        ("Nov 9, 2023 / 12:05 PM", "2023-11-09T12:05:29+05:30"),
        # -08:15 is not: another instant, nothing to read; UTC stays
        ("Nov 8, 2023 / 10:20 PM", "2023-11-09T06:35:29+00:00"),
        # the UTC clock itself says nothing (UTC, or local time labelled Z)
        ("Nov 9, 2023 / 6:35 AM", "2023-11-09T06:35:29+00:00"),
    ],
)
def test_a_utc_instant_takes_the_offset_the_shown_time_implies(
    shown: str, published_at: str
) -> None:
    html = _en_page(_ld("2023-11-09T06:35:29Z"), f'<div class="date">{shown}</div>')
    assert extract(html, _EN_URL)["published_at"] == published_at


def test_an_rfc_2822_gmt_value_stays_in_utc() -> None:
    html = _en_page(_ld("Wed, 28 Oct 2020 22:22:49 GMT"))
    assert extract(html, _EN_URL)["published_at"] == "2020-10-28T22:22:49+00:00"


def test_a_utc_instant_takes_the_offset_another_reading_declares_for_it() -> None:
    same = '<meta name="pubdate" content="Sat, 19 Oct 2019 00:04:00 +0200">'
    html = _en_page(_ld("2019-10-18T22:04:00Z") + same)
    assert extract(html, _EN_URL)["published_at"] == "2019-10-19T00:04:00+02:00"
    other = '<meta name="pubdate" content="Sat, 19 Oct 2019 09:00:00 +0200">'
    html = _en_page(_ld("2019-10-18T22:04:00Z") + other)
    assert extract(html, _EN_URL)["published_at"] == "2019-10-18T22:04:00+00:00"


def test_utc_is_not_kept_when_it_prints_another_day_than_the_page_shows() -> None:
    html = _en_page(_ld("2018-12-31T23:11:59Z"), '<div class="date">2019-01-01</div>')
    assert extract(html, _EN_URL)["published_at"][:10] == "2019-01-01"
    html = _en_page(_ld("2018-12-31T13:11:59Z"), '<div class="date">2018-12-31</div>')
    assert extract(html, _EN_URL)["published_at"] == "2018-12-31T13:11:59+00:00"


def _ld_meta(published: str, meta: str) -> str:
    return _ld(published) + f'<meta name="date" content="{meta}">'


def test_a_zoneless_structured_date_takes_the_zone_a_meta_declares_for_the_same_clock() -> None:
    html = _en_page(_ld_meta("2023-04-28 18:11:01.0", "2023-04-28T18:11:01+02:00"))
    assert extract(html, _EN_URL)["published_at"] == "2023-04-28T18:11:01+02:00"


def test_a_meta_with_another_clock_lends_no_zone() -> None:
    html = _en_page(_ld_meta("2023-04-28 18:11:01.0", "2023-04-28T09:00:00+02:00"))
    assert extract(html, _EN_URL)["published_at"] == "2023-04-28T18:11:01+07:00"


# --- date hints from discovery (issue 13) -------------------------------------------------------

def test_a_date_without_year_or_time_takes_both_from_the_listing() -> None:
    hint = ("2021-05-21T14:05:00+07:00", "listing")
    result = extract(page(meta_line='<div class="date">Jumat (21/5)</div>'), date_hint=hint)
    assert result["published_at"] == "2021-05-21T14:05:00+07:00"
    assert result["published_raw"] == "Jumat (21/5)"
    assert result["published_precision"] == "time"
    assert result["provenance"]["published_hint"] == "listing: year, time"


def test_the_page_wins_where_it_shows_more() -> None:
    # the page shows its own time: the feed's other minute is not taken
    hint = ("2023-05-23T10:40:00+07:00", "feed")
    result = extract(page(meta_line='<div class="date">Selasa, 23 Mei 2023 10:15</div>'),
                     date_hint=hint)
    assert result["published_at"] == "2023-05-23T10:15:00+07:00"
    assert "published_hint" not in result["provenance"]


def test_a_hint_on_another_day_gives_no_time() -> None:
    hint = ("2023-05-24T08:00:00+07:00", "listing")
    result = extract(page(meta_line='<div class="date">Selasa, 23 Mei 2023</div>'),
                     date_hint=hint)
    assert result["published_at"] == "2023-05-23T00:00:00+07:00"
    assert result["published_precision"] == "day"


def test_a_date_only_hint_gives_a_year_but_no_midnight() -> None:
    hint = ("2021-05-21T00:00:00+07:00", "sitemap")
    result = extract(page(meta_line='<div class="date">Jumat (21/5)</div>'), date_hint=hint)
    assert result["published_at"] == "2021-05-21T00:00:00+07:00"
    assert result["published_precision"] == "day"
    assert result["provenance"]["published_hint"] == "sitemap: year"


def test_the_pages_own_year_wins_over_the_hints() -> None:
    # the page's metadata says 2022; the day shown without a year is read in it, not in the
    # listing's year
    head = '<meta name="pubdate" content="2022-05-21">'
    hint = ("2021-05-21T14:05:00+07:00", "listing")
    url = "https://www.beritakaltim.example/read/123/banjir-rendam-lima-kecamatan"
    result = extract(page(head=head, meta_line='<div class="date">21/5</div>'), url=url,
                     date_hint=hint)
    assert result["published_at"].startswith("2022-05-21")


# --- the meta line names another day than the markup (published._shown_other_day) ---


@pytest.mark.parametrize(
    ("markup", "shown", "day"),
    [
        # the page shows another day than its markup: the shown one
        ("2021-01-01T11:00:00Z", "April 1, 2023", "2023-04-01"),
        ("2021-01-01T11:00:00Z", "01.04.2023, 12:00", "2023-04-01"),
        # a quoted post's date is not the page's
        ("2021-01-01T11:00:00Z", "<blockquote>April 1, 2023</blockquote>", "2021-01-01"),
        # `01/02/2021` read the other way round is the markup's day
        ("2021-01-02T11:00:00Z", "01/02/2021", "2021-01-02"),
        # some zone brings the shown clock within reach of the markup's instant
        ("2021-01-01T11:00:00Z", "Dec 31, 2020 / 10:20 PM", "2021-01-01"),
    ],
)
def test_the_meta_line_wins_over_markup_that_names_another_day(
    markup: str, shown: str, day: str
) -> None:
    html = _en_page(_ld(markup), f'<div class="date">{shown}</div>')
    assert extract(html, _EN_URL)["published_at"][:10] == day


def test_a_date_below_the_body_does_not_overrule_the_markup() -> None:
    html = _en_page(_ld("2021-01-01T11:00:00Z")).replace(
        "</article>", '</article><div class="date">April 1, 2023</div>'
    )
    assert extract(html, _EN_URL)["published_at"][:10] == "2021-01-01"


def test_an_indonesian_meta_line_wins_over_jsonld_on_another_day() -> None:
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", '
            '"datePublished": "2023-05-20T09:00:00+07:00"}</script>')
    result = extract(page(head=head, meta_line='<div class="date">Selasa, 23 Mei 2023</div>'))
    assert result["published_at"][:10] == "2023-05-23"
    assert result["provenance"]["published_at"] == "text"


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("| Zuletzt geändert: Nov 7, 2023", "2023-10-24"),  # a revision label: not the date
        ("Mis à jour le 7 nov. 2023", "2023-10-24"),
        ("Last updated Nov 7, 2023", "2023-10-24"),
        ("Last edited: Nov 7, 2023", "2023-10-24"),
        ("Lastly, Nov 7, 2023", "2023-11-07"),  # 'last' alone labels nothing
        ("| Nov 7, 2023", "2023-11-07"),  # without the label the nearer line is the date
    ],
)
def test_a_date_labelled_as_a_revision_is_not_the_publication_date(line: str, day: str) -> None:
    meta = f'<div class="date">{line}</div><div class="date">Oct 24, 2023</div>'
    assert extract(_en_page(meta=meta), _EN_URL)["published_at"][:10] == day


@pytest.mark.parametrize(("headline", "day"), [("<h1>River floods the town</h1>", "2020-02-26"),
                                                ("", "2017-05-01")])
def test_a_weak_meta_date_loses_to_the_date_line_only_by_a_found_headline(
    headline: str, day: str
) -> None:
    html = (
        '<html lang="en"><head><meta name="date" content="2017-05-01T17:05:00+02:00"></head>'
        f'<body><div class="date">Wednesday, 26.02.2020</div>{headline}'
        f"<article><p>{_ENGLISH}</p></article></body></html>"
    )
    assert extract(html, _EN_URL)["published_at"][:10] == day


@pytest.mark.parametrize(
    ("line", "stage"),
    [
        # a menu box under the headline holding nothing but the date (linked to the day's
        # archive) is the date line
        ('<a href="/time/2020-10-13">13 Oct 2020 18:29</a>', "text"),
        # a menu line with more than the date is navigation
        ('<a href="/time/2020-10-13">Archive of 13 Oct 2020 18:29 and the week before</a>',
         None),
    ],
)
def test_a_menu_line_under_the_headline_is_the_date_only_when_it_is_nothing_else(
    line: str, stage: str | None
) -> None:
    html = _en_page(meta=f'<ul class="nav meta"><li>{line}</li></ul>')
    result = extract(html, _EN_URL)
    assert result["provenance"].get("published_at") == stage or (
        stage is None and result["provenance"].get("published_at") != "text"
    )
    if stage:
        assert result["published_at"] == "2020-10-13T18:29:00+07:00"


@pytest.mark.parametrize(
    ("lede", "stage"),
    [
        ("Karlsruhe, (12.11.2021). The council said", "text"),  # a dateline's date
        # a date further into the story is what it tells of, not when it was published
        ("The council said the river that flooded the town on 12.11.2021 rose", None),
    ],
)
def test_a_dateline_date_opening_the_first_paragraph_dates_an_undated_page(
    lede: str, stage: str | None
) -> None:
    html = (
        '<html lang="en"><head><title>Flood</title></head><body><h1>River floods the town</h1>'
        f"<article><p>{lede} {_ENGLISH}</p><p>{_ENGLISH}</p></article></body></html>"
    )
    result = extract(html, _EN_URL)
    if stage:
        assert (result["published_at"][:10], result["provenance"]["published_at"]) == (
            "2021-11-12", "text")
    else:
        assert result["provenance"].get("published_at") != "text"


@pytest.mark.parametrize(
    ("markup", "published_at"),
    [
        # the markup declares the publisher's offset: the shown clock is read in it
        ("2022-11-06T18:19:00+01:00", "2022-11-07T07:30:00+01:00"),
        # UTC says nothing of the publisher's zone: the default zone stays
        ("2022-11-06T08:19:00Z", "2022-11-07T07:30:00+07:00"),
    ],
)
def test_a_shown_time_that_overrules_the_markup_takes_the_markups_offset(
    markup: str, published_at: str
) -> None:
    html = _en_page(_ld(markup), '<div class="date">07.11.2022, 07:30</div>')
    assert extract(html, _EN_URL)["published_at"] == published_at


def test_a_shown_date_after_the_fetch_does_not_overrule_the_markup() -> None:
    html = _en_page(_ld("2021-01-01T11:00:00Z"), '<div class="date">April 1, 2031</div>')
    assert extract(html, _EN_URL)["published_at"][:10] == "2021-01-01"


@pytest.mark.parametrize(
    ("teasers", "day"),
    [
        (0, "2021-11-12"),  # the line under the headline, though no class names it a date
        # after a long run of other lines (teasers) it is no meta line: the date element wins
        (30, "2021-11-04"),
    ],
)
def test_the_line_under_the_headline_outranks_a_date_element_inside_the_body(
    teasers: int, day: str
) -> None:
    runs = "".join(f"<p>Teaser number {i} of the day</p>" for i in range(teasers))
    html = (
        '<html lang="en"><head><title>Flood</title></head><body><h1>River floods the town</h1>'
        f'{runs}<ul class="nav"><li>12.11.2021</li></ul>{runs}<article><p>{_ENGLISH}</p>'
        f'<div class="date">04.11.2021</div><p>{_ENGLISH}</p></article></body></html>'
    )
    assert extract(html, _EN_URL)["published_at"][:10] == day


@pytest.mark.parametrize(
    ("itemprop", "day"),
    [
        # microdata's modification date, written as the element's text, is no date line
        ("dateModified", "2023-10-24"),
        # the same element declaring the publication date is the date
        ("datePublished", "2023-11-07"),
    ],
)
def test_a_time_element_whose_text_is_its_machine_date_keeps_its_itemprop(
    itemprop: str, day: str
) -> None:
    meta = (f'<time itemprop="{itemprop}">2023-11-07 10:00:00</time>'
            '<div class="date">Oct 24, 2023</div>')
    assert extract(_en_page(meta=meta), _EN_URL)["published_at"][:10] == day


@pytest.mark.parametrize(
    ("line", "day"),
    [
        # a date linked to the author's page or the permalink, alone in its line
        ('<a href="/user/marianne">am 20.09.2020</a>', "2020-09-20"),
        # a linked headline that names a date is no date line
        ('<a href="/photos">Flood photos of 20.09.2020 and more</a>', None),
        # nor a link to today's item
        ('<a href="/today">Today\'s word</a>', None),
        # nor a date linked in a comment box
        ('<div class="comments"><a href="#c1">20.09.2020</a></div>', None),
    ],
)
def test_a_linked_line_under_the_headline_dates_the_page_when_it_is_only_a_date(
    line: str, day: str | None
) -> None:
    html = _en_page(meta=f'<div class="byline"><a href="/user/marianne">von Marianne</a></div>'
                         f"<div>{line}</div>")
    result = extract(html, _EN_URL)
    if day:
        assert (result["published_at"][:10], result["provenance"]["published_at"]) == (
            day, "text")
    else:
        assert result["provenance"].get("published_at") != "text"


@pytest.mark.parametrize(
    ("kind", "from_markup"),
    [
        # a forum thread's opening post is an article: its markup dates the page, not the
        # stamps of the replies
        ("DiscussionForumPosting", True),
        ("Organization", False),  # no article object: its date is not the page's
    ],
)
def test_a_forum_posting_is_read_as_the_article(kind: str, from_markup: bool) -> None:
    head = ('<script type="application/ld+json">{"@type": "' + kind + '", '
            '"datePublished": "2020-09-18"}</script>')
    html = _en_page(head).replace(
        "</article>", '</article><div class="reply"><h4>Reply</h4><p>Thanks!</p>'
        '<time datetime="2020-10-06T06:48:13-07:00">Oct 6, 2020</time></div>')
    assert (extract(html, _EN_URL)["provenance"]["published_at"] == "jsonld") is from_markup


@pytest.mark.parametrize(
    ("heading", "day"),
    [
        # the heading shows the declared headline in two spans, its colon lost: it is the
        # headline, and the line under it the meta line, whose day wins over the markup's
        ("<h2><span>Vanlife in Sweden</span> Scandinavia by camper van</h2>", "2022-01-06"),
        # a heading with other words is not the headline: the markup's day stays
        ("<h2><span>Vanlife in Norway</span> Scandinavia by camper van</h2>", "2022-01-04"),
    ],
)
def test_a_headline_set_in_spans_without_its_colon_anchors_the_meta_line(
    heading: str, day: str
) -> None:
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
            '"Vanlife in Sweden: Scandinavia by camper van", '
            '"datePublished": "2022-01-04T07:29:00Z"}</script>')
    html = (
        f'<html lang="en"><head><title>Vanlife</title>{head}</head><body>'
        '<nav class="breadcrumb"><h1>Vanlife in Sweden - camper tips</h1></nav>'
        f'{heading}<p>Tips for the trip.</p><div class="info">06.01.2022</div>'
        f"<article><p>{_ENGLISH}</p></article></body></html>"
    )
    assert extract(html, _EN_URL)["published_at"][:10] == day


def _footer_page(footer: str, head: str = "") -> str:
    return (
        f'<html lang="de"><head><title>Flood</title>{head}</head><body><h1>River floods the '
        f"town</h1><article><p>{_ENGLISH}</p></article>"
        f'<div class="footer"><p>Letzte Änderung: 31.10.2023 - 14:49:39</p><p>{footer}</p>'
        "</div></body></html>"
    )


@pytest.mark.parametrize(
    ("footer", "stage"),
    [
        # a line labelling its date as the publication's dates an otherwise undated page,
        # wherever it sits (the revision date beside it never does)
        ("Erschienen am: 01.11.2023", "text"),
        ("Published on 1 November 2023", "text"),
        # a date under another label is not the publication date
        ("Gedruckt am: 01.11.2023", None),
    ],
)
def test_a_line_labelled_as_the_publication_date_dates_an_undated_page(
    footer: str, stage: str | None
) -> None:
    result = extract(_footer_page(footer), _EN_URL)
    if stage:
        assert (result["published_at"][:10], result["provenance"]["published_at"]) == (
            "2023-11-01", stage)
    else:
        assert result["provenance"].get("published_at") != "text"


@pytest.mark.parametrize(
    ("head", "day"),
    [
        # a weak meta on another day (`11/01/2023`, month first) loses to the labelled line
        ('<meta name="date" content="11/01/2023 12:43:42">', "2023-11-01"),
        # structured data outranks a labelled line away from the headline
        (_ld("2023-10-24T09:00:00+01:00"), "2023-10-24"),
    ],
)
def test_a_labelled_publication_line_ranks_below_structured_data_above_weak_metas(
    head: str, day: str
) -> None:
    html = _footer_page("Erstellt am: 01.11.2023", head)
    assert extract(html, _EN_URL)["published_at"][:10] == day
