"""Section, tags and language (crawler/extract/section.py)."""

from __future__ import annotations

import pytest

from tests.crawler.extract.pagekit import extract, page


@pytest.mark.parametrize(
    "kicker",
    [
        '<span class="cat"><a rel="category tag" href="/kabar-daerah/">Kabar Daerah</a></span>',
        '<div class="kicker"><a href="/kategori/kabar-daerah">Kabar Daerah</a></div>',
    ],
)
def test_a_category_link_by_the_title_names_the_section(kicker: str) -> None:
    result = extract(page(before=kicker))
    assert (result["section"], result["provenance"]["section"]) == ("Kabar Daerah", "generic")


def test_a_section_meta_named_by_the_cms_is_the_last_resort_for_the_section() -> None:
    head = '<meta name="content_Category" content="Nasional, Daerah">'
    result = extract(page(head=head))
    assert (result["section"], result["provenance"]["section"]) == ("Nasional", "meta")


def test_a_template_lang_default_loses_to_the_texts_language() -> None:
    result = extract(page(lang="en"))
    assert result["language"] == "id"
    assert result["provenance"]["language"] == "text"
