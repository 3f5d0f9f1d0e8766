"""`warta serve` in a real browser: headless Chromium searches, picks a facet, reads an
article and its versions, and looks at the chart; each test asserts on the page's DOM and
saves a screenshot under its temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from archive import Archive
from archive.diff import paragraphs
from tests.archive.serve.conftest import EDIT_PARAGRAPH, Crawled, Server, start_server

WAIT = 60


def open_page(browser: Any, url: str) -> None:
    browser.get(url)
    WebDriverWait(browser, WAIT).until(
        lambda b: b.execute_script("return document.readyState") == "complete")


def click_and_wait(browser: Any, element: Any) -> None:
    """Click a link and wait for the next page to have replaced this one."""
    element.click()
    WebDriverWait(browser, WAIT).until(expected_conditions.staleness_of(element))
    WebDriverWait(browser, WAIT).until(
        lambda b: b.execute_script("return document.readyState") == "complete")


def shot(browser: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    browser.save_screenshot(str(path))
    assert path.stat().st_size > 0
    return path


def texts(browser: Any, selector: str) -> list[str]:
    return [e.text for e in browser.find_elements(By.CSS_SELECTOR, selector)]


def test_searching_from_the_home_page_lists_the_matching_articles_with_marked_words(
        browser: Any, server: Server, crawled: Crawled, tmp_path: Path) -> None:
    open_page(browser, server.url + "/")
    box = browser.find_element(By.CSS_SELECTOR, ".warta-home input[name=q]")
    box.send_keys("banjir")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR,
                                                 ".warta-home button[type=submit]"))
    shot(browser, tmp_path, "search")
    with Archive(crawled.db, readonly=True) as archive:
        expected = archive.search("banjir", limit=100)
    assert texts(browser, ".warta-result-title") == [r["title"] for r in expected]
    count = browser.find_element(By.ID, "warta-count")
    assert count.get_attribute("data-total") == str(len(expected))
    marked = {m.lower() for m in texts(browser, ".warta-snippet mark")}
    assert marked and all("banjir" in word for word in marked)  # (or a form: kebanjiran)


def test_a_facet_narrows_the_results_to_its_outlet(
        browser: Any, server: Server, crawled: Crawled, tmp_path: Path) -> None:
    open_page(browser, f"{server.url}/{server.name}/-/search?q=samarinda")
    before = int(browser.find_element(By.ID, "warta-count").get_attribute("data-total"))
    link = browser.find_element(By.CSS_SELECTOR,
                                ".warta-facet[data-facet=source] a[data-value]")
    key = link.get_attribute("data-value")
    click_and_wait(browser, link)
    shot(browser, tmp_path, "facet")
    assert parse_qs(urlsplit(browser.current_url).query)["source"] == [key]
    with Archive(crawled.db, readonly=True) as archive:
        expected = archive.search("samarinda", source=key, limit=100)
        outlet = next(s["name"] for s in archive.sources() if s["key"] == key)
    after = int(browser.find_element(By.ID, "warta-count").get_attribute("data-total"))
    assert after == len(expected) < before
    assert texts(browser, ".warta-result-title") == [r["title"] for r in expected]
    assert all(meta.startswith(outlet) for meta in texts(browser, ".warta-result-meta"))
    # the chosen facet shows as a filter that can be removed
    chip = browser.find_element(By.CSS_SELECTOR, ".warta-chip[data-facet=source]")
    click_and_wait(browser, chip)
    assert int(browser.find_element(By.ID, "warta-count").get_attribute("data-total")) == before


def test_a_result_opens_as_an_article_with_its_related_headlines_and_versions(
        browser: Any, server: Server, crawled: Crawled, tmp_path: Path) -> None:
    with Archive(crawled.db, readonly=True) as archive:
        article = archive.get(crawled.edited_url)
    assert article is not None and article["versions"]
    words = " ".join(article["title"].split()[:3])
    open_page(browser, f"{server.url}/{server.name}/-/search?q=" + words.replace(" ", "+"))
    result = browser.find_element(By.CSS_SELECTOR,
                                  f".warta-result[data-id='{article['id']}'] a")
    click_and_wait(browser, result)
    shot(browser, tmp_path, "article")
    assert urlsplit(browser.current_url).path == f"/{server.name}/articles/{article['id']}"
    assert browser.find_element(By.CSS_SELECTOR, "h1.warta-title").text == article["title"]
    published = browser.find_element(By.CSS_SELECTOR, ".warta-published").text
    assert "WITA (UTC+08:00)" in published or "WIB (UTC+07:00)" in published
    body = texts(browser, ".warta-body p")
    assert len(body) == len(paragraphs(article["body"]))
    if article["dateline"]:
        assert body[0].startswith(article["dateline"])
    assert body[-1] == EDIT_PARAGRAPH
    # related headlines that are archived link to their rows
    archived = [r for r in article["related"] if r["archived_id"]]
    assert archived
    hrefs = [urlsplit(a.get_attribute("href")).path
             for a in browser.find_elements(By.CSS_SELECTOR, ".warta-related a.warta-archived")]
    assert hrefs == [f"/{server.name}/articles/{r['archived_id']}" for r in archived]
    # the edit: the added paragraph, marked as inserted
    inserted = texts(browser, ".warta-versions ins")
    assert EDIT_PARAGRAPH in inserted
    assert texts(browser, ".warta-diff-tally") == ["Paragraphs: 1 added; "
                                                   f"{len(body) - 1} unchanged"]
    # and a related headline opens its own article
    with Archive(crawled.db, readonly=True) as archive:
        target = archive.get(archived[0]["archived_id"])
    assert target is not None
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR,
                                                 ".warta-related a.warta-archived"))
    assert browser.find_element(By.CSS_SELECTOR, "h1.warta-title").text == target["title"]


def test_an_article_lists_its_copies_and_links_to_the_original(
        browser: Any, server: Server, crawled: Crawled, tmp_path: Path) -> None:
    """The demo's story run by three outlets: a copy's page lists the other two, each row
    with its outlet, local time and mark (`original` for the earliest, else the similarity),
    and a link that opens that article; the original's page says it is the original."""
    with Archive(crawled.db, readonly=True) as archive:
        cluster = next(c for c in archive.clusters() if c["size"] == 3 and not c["press_release"])
    copy = next(m for m in cluster["members"] if not m["is_original"])
    others = [m for m in cluster["members"] if m["id"] != copy["id"]]
    open_page(browser, f"{server.url}/{server.name}/articles/{copy['id']}")
    shot(browser, tmp_path, "copies")
    heading = browser.find_element(By.CSS_SELECTOR, ".warta-copies h2").text
    assert heading == "Copies (2 other articles, 3 outlets)"
    assert not browser.find_elements(By.CSS_SELECTOR, ".warta-this-original")
    rows = browser.find_elements(By.CSS_SELECTOR, ".warta-copies tbody tr")
    shown = [[cell.text for cell in row.find_elements(By.CSS_SELECTOR, "td")[:3]]
             for row in rows]
    assert shown == [[m["source"], m["published_at"][:16].replace("T", " "),
                      "original" if m["is_original"] else f"{m['similarity']:.2f}"]
                     for m in others]
    hrefs = [urlsplit(a.get_attribute("href")).path for a in
             browser.find_elements(By.CSS_SELECTOR, ".warta-copies a.warta-archived")]
    assert hrefs == [f"/{server.name}/articles/{m['id']}" for m in others]
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR,
                                                 ".warta-original a.warta-archived"))
    assert browser.find_element(By.CSS_SELECTOR, "h1.warta-title").text == (
        cluster["original"]["title"])
    assert browser.find_elements(By.CSS_SELECTOR, ".warta-this-original")
    assert not browser.find_elements(By.CSS_SELECTOR, ".warta-copies .warta-original")


def test_the_chart_shows_each_months_count_and_share(
        browser: Any, server: Server, crawled: Crawled, tmp_path: Path) -> None:
    open_page(browser, f"{server.url}/{server.name}/-/search?q=banjir")
    chart = browser.find_element(By.CSS_SELECTOR, "#warta-chart svg")
    shot(browser, tmp_path, "chart")
    bars = chart.find_elements(By.CSS_SELECTOR, "rect.bar")
    with Archive(crawled.db, readonly=True) as archive:
        dated = [r for r in archive.iter_articles("banjir") if r["published_at"]]
        months = {r["published_at"][:7] for r in archive.iter_articles() if r["published_at"]}
    by_month = {b.get_attribute("data-period"): int(b.get_attribute("data-matching"))
                for b in bars}
    assert set(by_month) >= {r["published_at"][:7] for r in dated}
    assert min(by_month) == min(months) and max(by_month) == max(months)
    assert sum(by_month.values()) == len(dated)
    # the share line has a point for every month holding any article
    points = chart.find_elements(By.CSS_SELECTOR, "circle.share-point")
    assert len(points) == sum(1 for b in bars if int(b.get_attribute("data-all")) > 0)
    assert chart.find_element(By.CSS_SELECTOR, "polyline.share")


def test_a_malformed_search_shows_an_error_line_not_a_traceback(
        browser: Any, server: Server, tmp_path: Path) -> None:
    open_page(browser, f"{server.url}/{server.name}/-/search?q=banjir+AND+%28&raw=1")
    shot(browser, tmp_path, "error")
    errors = texts(browser, ".warta-error")
    assert len(errors) == 1
    assert errors[0].startswith("Error: --raw: the FTS5 query 'banjir AND (' is not valid")
    assert "Traceback" not in browser.page_source
    assert not browser.find_elements(By.CSS_SELECTOR, ".warta-result")


HOSTILE = {
    "url": "https://kaltimpost.example/berita/1", "source": "kaltimpost",
    "title": "<script>alert(1)</script> banjir",
    "body": "<img src=x onerror=alert(2)> banjir melanda\n\nParagraf <b>kedua</b>.",
    "published_at": "2023-05-23T10:15:00+08:00", "authors": ["<i>Andi</i>"],
    "related": [{"url": "javascript:alert(3)", "title": "<svg onload=alert(4)>",
                 "block": "baca-juga", "position": 0}],
}


def test_markup_in_archived_text_is_shown_as_text_and_never_runs(
        browser: Any, tmp_path: Path) -> None:
    db = tmp_path / "hostile.db"
    with Archive(db) as archive:
        archive.set_source("kaltimpost", name="<b>Kaltim Post</b>")
        archive.write([HOSTILE])
    running = start_server(db)
    try:
        open_page(browser, f"{running.url}/hostile/-/search?q=banjir")
        shot(browser, tmp_path, "hostile-search")
        assert texts(browser, ".warta-result-title") == [HOSTILE["title"]]
        assert texts(browser, ".warta-facet[data-facet=author] a") == ["<i>Andi</i>"]
        open_page(browser, f"{running.url}/hostile/articles/1")
        shot(browser, tmp_path, "hostile-article")
        assert browser.find_element(By.CSS_SELECTOR, "h1.warta-title").text == HOSTILE["title"]
        assert texts(browser, ".warta-body p")[0] == "<img src=x onerror=alert(2)> banjir melanda"
        assert texts(browser, ".warta-related li span") == ["<svg onload=alert(4)>"]
        for selector in ("script:not([src])", "img", "svg[onload]", "a[href^='javascript']"):
            found = [e for e in browser.find_elements(By.CSS_SELECTOR, selector)
                     if "alert" in (e.get_attribute("outerHTML") or "")]
            assert not found, selector
        # no alert ever opened: selenium would refuse to go on with one open
        assert browser.execute_script("return 1") == 1
    finally:
        assert "Traceback" not in running.stop()
