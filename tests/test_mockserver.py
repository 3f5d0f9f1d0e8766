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
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import pytest

from crawler.demo import expected_articles
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
        parts = [article["url"]] + [f"{article['url']}?page={n}"
                                    for n in range(2, article["pages"] + 1)]
        texts = []
        for url in parts:
            status, _, body = fetch(url)
            assert status == 200, url
            texts.append(page_text(body, article["encoding"]))
        pages[article["url"]] = " ".join(texts)
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


def test_an_edit_changes_the_page_the_sitemap_lastmod_and_the_feed(
        mockserver: MockServer) -> None:
    article = mockserver.articles_of("kaltimnews")[0]
    try:
        mockserver.edit_article("kaltimnews", article["id"], title="Judul Baru Setelah Koreksi")
        edited = next(a for a in mockserver.expected() if a["id"] == article["id"])
        assert edited["title"] == "Judul Baru Setelah Koreksi"
        assert edited["modified_at"] and edited["modified_at"] != article["published_at"]
        assert "Judul Baru Setelah Koreksi" in fetch(article["url"])[2].decode()
        _, _, posts = fetch(mockserver.url("kaltimnews", "/post-sitemap.xml"))
        entry = next(u for u in ElementTree.fromstring(posts).findall("sm:url", SITEMAP_NS)
                     if u.findtext("sm:loc", namespaces=SITEMAP_NS) == article["url"])
        assert entry.findtext("sm:lastmod", namespaces=SITEMAP_NS) == edited["modified_at"]
        _, _, feed = fetch(mockserver.url("kaltimnews", "/feed/"))
        assert f"<atom:updated>{edited['modified_at']}</atom:updated>" in feed.decode()
    finally:
        mockserver.reset()


def conditional_get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


def test_an_article_answers_304_to_its_own_validators_until_it_is_edited(
        mockserver: MockServer) -> None:
    article = mockserver.articles_of("kaltimnews")[0]
    try:
        status, headers, _ = fetch(article["url"])
        etag, modified = headers["ETag"], headers["Last-Modified"]
        assert status == 200 and etag.startswith('W/"')
        assert conditional_get(article["url"], **{"If-None-Match": etag})[:3:2] == (304, b"")
        assert conditional_get(article["url"], **{"If-Modified-Since": modified})[0] == 304
        mockserver.add_articles("kaltimnews", 1)  # the "latest" boxes change, not the article
        assert conditional_get(article["url"], **{"If-None-Match": etag})[0] == 304
        mockserver.edit_article("kaltimnews", article["id"])
        status, edited, _ = conditional_get(article["url"], **{"If-None-Match": etag})
        assert status == 200 and edited["ETag"] != etag
        assert conditional_get(article["url"], **{"If-Modified-Since": modified})[0] == 200
    finally:
        mockserver.reset()


def test_the_clock_hides_what_is_published_or_edited_later(mockserver: MockServer) -> None:
    article = mockserver.articles_of("kaltimnews")[0]
    published = datetime.fromisoformat(article["published_at"])
    try:
        mockserver.add_articles("kaltimnews", 1, newest=(published + timedelta(days=1))
                                .isoformat())
        mockserver.control("edit_article", site="kaltimnews", id=article["id"],
                           when=(published + timedelta(hours=5)).isoformat())
        mockserver.control("set_clock", when=(published + timedelta(hours=1)).isoformat())
        shown = {a["id"]: a for a in mockserver.expected() if a["site"] == "kaltimnews"}
        assert not any(a["generated"] for a in shown.values())  # published later: not yet
        assert "Pembaruan" not in fetch(article["url"])[2].decode()  # edited later: not yet
        mockserver.control("set_clock", when=(published + timedelta(days=2)).isoformat())
        shown = {a["id"]: a for a in mockserver.expected() if a["site"] == "kaltimnews"}
        assert any(a["generated"] for a in shown.values())
        assert "Pembaruan" in fetch(article["url"])[2].decode()
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


def test_demo_server_command_prints_one_json_line_and_applies_its_flags() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler.demo.server", "--add", "mahakampos=2",
         "--edit", "benuaetam:be01", "--layout-change", "kaltimnews"],
        cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        assert process.stdout is not None
        urls = json.loads(process.stdout.readline())
        assert set(urls) == {"kaltimnews", "mahakampos", "benuaetam"}
        articles = {a["id"]: a for a in expected_articles(urls)}
        assert b"__APP_STATE__" in fetch(articles["kn01"]["url"])[2]
        index = fetch(urls["mahakampos"] + "/indeks")[2].decode()
        assert "/90000/" in index and "/90001/" in index
        edited = fetch(articles["be01"]["url"])[2].decode()
        assert "Pembaruan: berita ini dilengkapi" in edited
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0


DAY_MENTION = re.compile(r"\b(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu) \((\d{1,2})/(\d{1,2})"
                         r"(?:/(\d{4}))?\)")
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def test_days_named_in_the_text_match_the_calendar(mockserver: MockServer) -> None:
    """`Selasa (23/5)` must really be a Tuesday in the article's year: dates are data."""
    from datetime import date

    for article in mockserver.articles:
        year = int(article["published_date"][:4])
        for day, d, m, y in DAY_MENTION.findall(article["body"]):
            assert DAYS[date(int(y or year), int(m), int(d)).weekday()] == day, article["id"]


def test_day_only_articles_name_their_day_and_carry_the_date_in_the_url(
        mockserver: MockServer) -> None:
    day_only = [a for a in mockserver.articles if a["published_precision"] == "day"]
    assert day_only
    for article in day_only:
        assert article["published_raw"] in article["body"].split("\n\n")[0]
        assert article["published_date"].replace("-", "/") in article["url"]


def test_first_and_last_sentences_are_whole_sentences(mockserver: MockServer) -> None:
    for article in mockserver.articles:
        for sentence in (article["body_first_sentence"], article["body_last_sentence"]):
            assert len(sentence.split()) >= 5, (article["id"], sentence)
            assert sentence[0].isupper() or sentence[0] in "\"“", (article["id"], sentence)


def test_three_outlets_sixty_articles_related_links_stay_on_their_outlet(
        mockserver: MockServer) -> None:
    assert len(mockserver.urls) >= 3
    assert len(mockserver.articles) >= 60
    urls = {a["url"] for a in mockserver.articles}
    for article in mockserver.articles:
        assert article["related_count"] == len(article["related_urls"]) > 0
        assert set(article["related_urls"]) <= urls, article["id"]
        assert all(u.startswith(mockserver.urls[article["site"]]) for u in article["related_urls"])
    legacy = mockserver.articles_of("mahakampos")
    assert all(a["related_count"] == 10 for a in legacy)


def test_legacy_encoded_pages_are_windows_1252_with_each_kind_of_declaration(
        mockserver: MockServer) -> None:
    encoded = [a for a in mockserver.articles if a["encoding"] == "windows-1252"]
    declared = []
    for article in encoded:
        _, headers, body = fetch(article["url"])
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        assert "“" in body.decode("cp1252") or "é" in body.decode("cp1252")
        declared.append((headers["Content-Type"], b"charset=" in body))
    assert sorted(declared) == [("text/html", False), ("text/html", True),
                                ("text/html; charset=windows-1252", True)]


def test_multi_page_parts_and_amp_variant_point_to_each_other(mockserver: MockServer) -> None:
    article = next(a for a in mockserver.articles_of("benuaetam") if a["pages"] == 3)
    _, _, first = fetch(article["url"])
    page = first.decode(article["encoding"])
    assert f'<link rel="next" href="{article["url"]}?page=2">' in page
    amp_url = re.search(r'<link rel="amphtml" href="([^"]+)"', page)
    assert amp_url is not None
    _, _, amp = fetch(amp_url.group(1))
    assert f'<link rel="canonical" href="{article["url"]}">' in amp.decode()
    assert article["body_last_sentence"] in html.unescape(amp.decode())
    assert fetch(f"{article['url']}?page=4")[0] == 404


@pytest.mark.parametrize(("site", "channel"), [
    ("kaltimnews", "/feed/"), ("mahakampos", "/indeks"), ("benuaetam", "/feed/atom")])
def test_added_articles_appear_in_each_outlets_discovery_channel(
        mockserver: MockServer, site: str, channel: str) -> None:
    try:
        mockserver.add_articles(site, 2)
        added = [a for a in mockserver.expected() if a["generated"] and a["site"] == site]
        _, _, body = fetch(mockserver.url(site, channel))
        for article in added:
            path = urlsplit(article["url"]).path
            assert path in body.decode(), (site, article["url"])
            assert fetch(article["url"])[0] == 200
    finally:
        mockserver.reset()


def test_traps_answer_as_listed(mockserver: MockServer) -> None:
    traps = {t["kind"]: t for t in mockserver.traps}
    for trap in mockserver.traps:
        if trap["kind"] in ("slow", "huge"):
            continue
        assert fetch(trap["url"], follow=False)[0] == trap["status"], trap
    redirect = traps["redirect"]
    assert fetch(redirect["url"], follow=False)[1]["Location"] == redirect["target"]
    loop = traps["redirect_loop"]["loop"]
    assert fetch(loop[0], follow=False)[1]["Location"] == loop[1]
    assert fetch(loop[1], follow=False)[1]["Location"] == loop[0]
    assert fetch(traps["empty"]["url"])[2] == b""
    assert b"<!ENTITY lol9" in fetch(traps["xml_bomb"]["url"])[2]
    assert fetch(traps["feed_is_html"]["url"])[1]["Content-Type"].startswith("text/html")
    _, headers, body = fetch(traps["wrong_charset"]["url"])
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_huge_page_has_the_announced_size(mockserver: MockServer) -> None:
    trap = next(t for t in mockserver.traps if t["kind"] == "huge")
    request = urllib.request.Request(trap["url"], method="HEAD")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert int(response.headers["Content-Length"]) == trap["bytes"] >= 20 * 1024 * 1024


def test_slow_page_outlasts_a_short_client_timeout(mockserver: MockServer) -> None:
    trap = next(t for t in mockserver.traps if t["kind"] == "slow")
    assert trap["delay_seconds"] >= 5
    try:
        mockserver.set_slow(3)
        with pytest.raises((TimeoutError, urllib.error.URLError)):
            fetch(trap["url"], timeout=0.3)
    finally:
        mockserver.reset()


def test_a_crawl_can_reach_every_trap(mockserver: MockServer) -> None:
    """Traps are linked the way a crawl discovers pages: sitemaps, robots.txt, page heads."""
    base = mockserver.urls["kaltimnews"]
    _, _, index = fetch(base + "/sitemap_index.xml")
    maps = [loc.text or "" for loc in ElementTree.fromstring(index).iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    listed = set()
    for sitemap in maps:
        body = fetch(sitemap)[2]
        if b"<!ENTITY" not in body:
            listed |= {loc.text for loc in ElementTree.fromstring(body).iter(
                "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    _, _, home = fetch(base + "/")
    robots = fetch(base + "/robots.txt")[2].decode()
    for trap in mockserver.traps:
        url = trap["url"]
        reachable = (url in listed or url in maps or f'href="{url}"' in home.decode()
                     or f"Sitemap: {url}" in robots)
        assert reachable, trap
    for rule in {t["robots_rule"] for t in mockserver.traps if "robots_rule" in t}:
        assert rule in robots.splitlines()


def test_response_delay_slows_every_page_until_reset(mockserver: MockServer) -> None:
    try:
        mockserver.set_delay(3)
        with pytest.raises((TimeoutError, urllib.error.URLError)):
            fetch(mockserver.url("mahakampos", "/robots.txt"), timeout=0.3)
    finally:
        mockserver.reset()
    assert fetch(mockserver.url("mahakampos", "/robots.txt"), timeout=10)[0] == 200


def test_every_link_on_the_demo_pages_resolves(mockserver: MockServer) -> None:
    """Following every same-site link from each home page reaches every article and no broken
    link (the demo is a site one can browse; the failing traps are only in a sitemap)."""
    for site, base in mockserver.urls.items():
        seen, queue = {base + "/"}, [base + "/"]
        while queue:
            url = queue.pop()
            status, headers, body = fetch(url)
            assert status == 200, (site, url)
            if not headers.get("Content-Type", "").startswith("text/html"):
                continue
            for href in re.findall(r'(?:href|src)="([^"#]+)"', body.decode("latin-1")):
                target = urljoin(url, html.unescape(href))
                if target.startswith(base) and target not in seen:
                    seen.add(target)
                    queue.append(target)
        assert {a["url"] for a in mockserver.articles_of(site)} <= seen, site
