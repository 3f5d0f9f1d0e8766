"""Where the article sits: a hero box holding the title, the article's own footer
(crawler/extract/layout.py)."""

from __future__ import annotations

from tests.crawler.extract.pagekit import WP_META, extract, page


def test_a_photo_box_that_holds_the_title_does_not_hide_its_date_and_byline() -> None:
    # Twenty Nineteen: featured image, title and entry meta in one `featured-image` box
    hero = (
        '<div class="site-featured-image"><figure class="post-thumbnail"><img src="/a.jpg">'
        "</figure><h1>Banjir Rendam Lima Kecamatan di Samarinda</h1>"
        '<div class="entry-meta"><span class="byline"><span class="screen-reader-text">'
        'Diposkan oleh</span><span class="author vcard"><a href="/author/rina">Rina Wulandari'
        "</a></span></span>" + WP_META + "</div></div>"
    )
    html = page(meta_line="").replace("<h1>Banjir Rendam Lima Kecamatan di Samarinda</h1>", hero)
    result = extract(html)
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert result["authors"] == ["Rina Wulandari"]


ENTRY_FOOTER = (
    '<footer class="entry-footer"><span class="byline"><span class="author vcard">'
    '<span class="screen-reader-text">Penulis </span><a class="url fn n" href="/author/rina">'
    'Rina Wulandari</a></span></span><span class="posted-on"><span class="screen-reader-text">'
    'Diposkan pada </span><a href="#" rel="bookmark"><time class="entry-date published" '
    'datetime="2023-05-23T10:15:00+08:00">23 Mei 2023</time></a></span>'
    '<span class="cat-links"><a href="/category/samarinda/" rel="category tag">Samarinda</a>'
    "</span></footer>"
)


def test_byline_and_date_in_the_article_s_own_footer_are_read() -> None:
    # Twenty Sixteen: nothing by the title, the credits follow the body in `entry-footer`
    result = extract(page(meta_line="", after=ENTRY_FOOTER))
    assert result["authors"] == ["Rina Wulandari"]
    assert result["published_at"] == "2023-05-23T10:15:00+08:00"
    assert "Rina Wulandari" not in result["body"]


def test_a_staff_line_in_a_post_footer_box_is_read() -> None:
    after = (
        '<div class="post-footer"><p>Penulis: Rina Wulandari | Editor: Budi Santoso</p>'
        '<div class="tags">Tag: <a href="/tag/banjir">banjir</a></div></div>'
    )
    result = extract(page(after=after))
    assert result["authors"] == ["Rina Wulandari"]
    assert result["editor"] == "Budi Santoso"


def test_the_page_footer_gives_no_byline_or_date() -> None:
    html = page(meta_line="").replace(
        "<footer>",
        '<footer class="site-footer"><div class="box-redaksi"><span class="byline">'
        "Rina Wulandari</span><p>Pemimpin Redaksi: Ahmad Fauzi | Redaktur: Budi Santoso</p>"
        '<time class="entry-date published" datetime="2023-01-02T08:00:00+08:00">'
        "2 Januari 2023</time></div>",
    )
    result = extract(html)
    assert result["authors"] == []
    assert result["editor"] is None
    assert result["published_at"] != "2023-01-02T08:00:00+08:00"


def test_a_staff_box_in_an_article_footer_gives_no_byline() -> None:
    box = (
        '<footer class="entry-footer"><h4>Susunan Redaksi</h4>'
        "<p>Pemimpin Redaksi: Ahmad Fauzi</p><p>Redaktur: Budi Santoso</p>"
        '<p><span class="author">Rina Wulandari</span></p></footer>'
    )
    result = extract(page(meta_line="", after=box))
    assert result["authors"] == []
    assert result["editor"] is None
