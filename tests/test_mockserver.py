"""The mock server itself: it serves what the crawl tests rely on, and its expected data is true
to the pages it serves."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import pytest

from crawler.sites import parse_profile
from crawler.urls import canonical_url
from tests.mockserver.client import ROOT, MockServer

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
              "news": "http://www.google.com/schemas/sitemap-news/0.9"}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(url: str, *, follow: bool = True,
          timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """GET a URL: status, headers and raw bytes, whatever the status."""
    opener = urllib.request.build_opener(*(() if follow else (NoRedirect,)))
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


def page_text(body: bytes, encoding: str = "utf-8") -> str:
    """The visible text of a page, tags removed and entities decoded, whitespace collapsed."""
    text = body.decode(encoding)
    text = re.sub(r"<script.*?</script>", " ", text, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(html.unescape(text).split())


def test_each_outlet_has_its_own_origin(mockserver: MockServer) -> None:
    ports = {urlsplit(url).port for url in mockserver.urls.values()}
    assert len(ports) == len(mockserver.urls) >= 1
    for url in mockserver.urls.values():
        status, headers, body = fetch(url + "/")
        assert status == 200
        assert headers["Content-Type"].startswith("text/html")
        assert b"<html" in body


def test_modern_outlet_robots_txt_names_its_sitemap_and_disallows_search(
        mockserver: MockServer) -> None:
    status, _, body = fetch(mockserver.url("kaltimnews", "/robots.txt"))
    lines = body.decode().splitlines()
    assert status == 200
    assert f"Sitemap: {mockserver.url('kaltimnews', '/sitemap_index.xml')}" in lines
    assert "Disallow: /cari" in lines


def test_sitemap_index_leads_to_every_article_and_a_news_sitemap(mockserver: MockServer) -> None:
    _, _, body = fetch(mockserver.url("kaltimnews", "/sitemap_index.xml"))
    maps = [loc.text for loc in ElementTree.fromstring(body).findall("sm:sitemap/sm:loc",
                                                                     SITEMAP_NS)]
    assert mockserver.url("kaltimnews", "/post-sitemap.xml") in maps
    assert mockserver.url("kaltimnews", "/news-sitemap.xml") in maps

    _, _, posts = fetch(mockserver.url("kaltimnews", "/post-sitemap.xml"))
    locs = {u.text for u in ElementTree.fromstring(posts).findall("sm:url/sm:loc", SITEMAP_NS)}
    assert locs == {a["url"] for a in mockserver.articles_of("kaltimnews")}

    _, _, news = fetch(mockserver.url("kaltimnews", "/news-sitemap.xml"))
    dates = ElementTree.fromstring(news).findall(".//news:publication_date", SITEMAP_NS)
    assert dates and all(re.search(r"[+-]\d\d:\d\d$", d.text or "") for d in dates)


def test_request_log_records_requests_but_not_controls(mockserver: MockServer) -> None:
    mockserver.clear_log()
    fetch(mockserver.url("kaltimnews", "/robots.txt"))
    fetch(mockserver.url("kaltimnews", "/tidak-ada/"))
    log = mockserver.requests("kaltimnews")
    assert [(e["path"], e["status"]) for e in log] == [("/robots.txt", 200), ("/tidak-ada/", 404)]


def test_expected_urls_are_already_canonical(mockserver: MockServer) -> None:
    for article in mockserver.articles:
        assert canonical_url(article["url"]) == article["url"]


def test_profiles_are_valid(mockserver: MockServer) -> None:
    for key, data in mockserver.profiles.items():
        profile = parse_profile(key, data)
        assert profile.owns(mockserver.url(key, "/"))


@pytest.fixture(scope="module")
def article_pages(mockserver: MockServer) -> dict[str, str]:
    """Every expected article's page as visible text, by URL."""
    pages = {}
    for article in mockserver.articles:
        status, _, body = fetch(article["url"])
        assert status == 200, article["url"]
        pages[article["url"]] = page_text(body, article["encoding"])
    return pages


def test_every_expected_title_and_sentence_is_on_its_page(
        mockserver: MockServer, article_pages: dict[str, str]) -> None:
    for article in mockserver.articles:
        text = article_pages[article["url"]]
        assert article["title"] in text, article["url"]
        assert article["body_first_sentence"] in text, article["url"]
        assert article["body_last_sentence"] in text, article["url"]
        assert article["published_raw"] in text, article["url"]


def test_expected_related_links_are_on_the_page_in_order(mockserver: MockServer) -> None:
    for article in mockserver.articles:
        _, _, body = fetch(article["url"])
        hrefs = [canonical_url(urljoin(article["url"], html.unescape(h)))
                 for h in re.findall(r'href="([^"]+)"', body.decode(article["encoding"]))]
        positions = [hrefs.index(url) for url in article["related_urls"]]
        assert positions == sorted(positions), article["url"]


def test_added_articles_appear_in_the_sitemap_and_expected_data(mockserver: MockServer) -> None:
    try:
        mockserver.add_articles("kaltimnews", 3)
        _, _, posts = fetch(mockserver.url("kaltimnews", "/post-sitemap.xml"))
        locs = {u.text for u in ElementTree.fromstring(posts).findall("sm:url/sm:loc",
                                                                      SITEMAP_NS)}
        added = [a for a in mockserver.expected() if a["generated"]]
        assert len(added) == 3
        assert {a["url"] for a in added} <= locs
        for article in added:
            assert fetch(article["url"])[0] == 200
    finally:
        mockserver.reset()


def test_an_edit_changes_the_page_and_the_sitemap_lastmod(mockserver: MockServer) -> None:
    article = mockserver.articles_of("kaltimnews")[-1]
    try:
        mockserver.edit_article("kaltimnews", article["id"], title="Judul Baru Setelah Koreksi")
        _, _, page = fetch(article["url"])
        assert "Judul Baru Setelah Koreksi" in page.decode()
        _, _, posts = fetch(mockserver.url("kaltimnews", "/post-sitemap.xml"))
        entry = next(u for u in ElementTree.fromstring(posts).findall("sm:url", SITEMAP_NS)
                     if u.findtext("sm:loc", namespaces=SITEMAP_NS) == article["url"])
        lastmod = entry.findtext("sm:lastmod", namespaces=SITEMAP_NS)
        edited = next(a for a in mockserver.expected() if a["id"] == article["id"])
        assert lastmod == edited["modified_at"] != article["published_at"]
    finally:
        mockserver.reset()


def test_layout_change_hides_body_and_date_from_the_markup(mockserver: MockServer) -> None:
    article = mockserver.articles_of("kaltimnews")[0]
    try:
        mockserver.set_layout("kaltimnews")
        _, _, body = fetch(article["url"])
        text = page_text(body)
        assert article["title"] in text
        assert article["body_first_sentence"] not in text
        assert article["published_raw"] not in text
    finally:
        mockserver.reset()


def test_demo_server_command_prints_one_json_line() -> None:
    process = subprocess.Popen([sys.executable, "-m", "crawler.demo.server"], cwd=ROOT,
                               stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        assert process.stdout is not None
        urls = json.loads(process.stdout.readline())
        assert fetch(urls["kaltimnews"] + "/robots.txt")[0] == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0
