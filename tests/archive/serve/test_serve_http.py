"""`warta serve` over HTTP: Datasette's own JSON and CSV, the `articles` table as people read
it, no writes from the web, a crawl writing meanwhile, and the command's one-line errors."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import socket
import sqlite3
import threading
import urllib.parse
from pathlib import Path

import pytest

from archive import Archive
from tests.archive.conftest import make_record
from tests.archive.serve.conftest import SETTINGS, SITES, Crawled, Server, start_server
from tests.crawler.warta_run import crawl, write_sites
from tests.mockserver.client import MockServer


def fts_count(db: Path, word: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?",
                                (word,)).fetchone()[0])


def test_datasette_search_json_and_csv_at_datasettes_urls(server: Server,
                                                          crawled: Crawled) -> None:
    expected = fts_count(crawled.db, "banjir")
    assert expected > 0
    status, body = server.get(f"/{server.name}/articles.json?_search=banjir&_shape=array")
    assert status == 200
    rows = json.loads(body)
    assert len(rows) == expected
    assert all("banjir" in (r["title"] + r["body"]).lower() for r in rows)
    status, body = server.get(f"/{server.name}/articles.csv?_search=banjir")
    assert status == 200
    assert len(list(csv.DictReader(io.StringIO(body)))) == expected


def test_the_row_json_is_datasettes(server: Server, crawled: Crawled) -> None:
    status, body = server.get(f"/{server.name}/articles/1.json?_shape=objects")
    assert status == 200
    (row,) = json.loads(body)["rows"]
    with Archive(crawled.db, readonly=True) as archive:
        article = archive.get(1)
    assert article is not None
    assert row["title"] == article["title"] and json.loads(row["authors"]) == article["authors"]


def test_the_articles_table_shows_useful_columns_first_and_json_as_text(
        server: Server, crawled: Crawled) -> None:
    status, page = server.get(f"/{server.name}/articles?_size=5&_sort=id")
    assert status == 200
    headers = [part.split('"')[0] for part in page.split('<th class="col-')[1:]]
    assert headers[:5] == ["id", "title", "published_at", "source", "url"]
    assert headers[-1] == "body"
    with Archive(crawled.db, readonly=True) as archive:
        article = archive.get(1)
    assert article is not None and article["authors"]
    cell = page.split('<td class="col-authors')[1].split("</td>")[0]
    assert ", ".join(article["authors"]) in cell and "[" not in cell
    # a column hidden (Datasette's "Hide this column") leaves the others in reading order
    status, page = server.get(f"/{server.name}/articles?_size=5&_nocol=url")
    assert status == 200
    headers = [part.split('"')[0] for part in page.split('<th class="col-')[1:]]
    assert headers[:5] == ["id", "title", "published_at", "source", "section"]
    # the JSON keeps the table as it is
    status, body = server.get(f"/{server.name}/articles.json?_size=1")
    with sqlite3.connect(crawled.db) as conn:
        table_order = [r[1] for r in conn.execute("PRAGMA table_info(articles)")]
    assert json.loads(body)["columns"] == table_order


@pytest.mark.parametrize("sql", [
    "insert into sources (key, added_at) values ('x', 'now')",
    "with gone as (select 1) delete from articles",
    "update articles set title = 'defaced'",
    "drop table articles",
    "pragma query_only = 0",
])
def test_sql_that_writes_is_refused_and_changes_nothing(server: Server, crawled: Crawled,
                                                         sql: str) -> None:
    with sqlite3.connect(crawled.db) as conn:
        before = conn.execute("SELECT count(*), sum(length(title)) FROM articles").fetchone()
        sources = conn.execute("SELECT count(*) FROM sources").fetchone()
    query = urllib.parse.urlencode({"sql": sql})
    status, body = server.get(f"/{server.name}.json?{query}")
    assert status >= 400
    assert json.loads(body)["ok"] is False
    with sqlite3.connect(crawled.db) as conn:
        assert conn.execute("SELECT count(*), sum(length(title)) FROM articles"
                            ).fetchone() == before
        assert conn.execute("SELECT count(*) FROM sources").fetchone() == sources


def title_shown(running: Server) -> tuple[str, str]:
    """Article 1's title in Datasette's JSON and on warta's article page."""
    status, body = running.get("/live/articles/1.json?_shape=array")
    assert status == 200
    status, page = running.get("/live/articles/1")
    assert status == 200
    return json.loads(body)[0]["title"], page.split('class="warta-title">')[1].split("<")[0]


def test_a_write_held_open_neither_blocks_the_server_nor_is_blocked(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    with Archive(db) as archive:
        archive.set_source("kaltimpost", name="Kaltim Post")
        archive.write([make_record(1, title="Banjir pertama")])
    running = start_server(db)
    try:
        writer = sqlite3.connect(db, timeout=0, isolation_level=None)  # never waits
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE articles SET title = 'Banjir kedua' WHERE id = 1")
        # the crawl's write is open: Datasette's pages and warta's answer from the last commit
        assert title_shown(running) == ("Banjir pertama", "Banjir pertama")
        writer.execute("COMMIT")  # no reader holds it back (timeout 0: it would raise)
        # mode=ro, not immutable: the commit is seen at once
        assert title_shown(running) == ("Banjir kedua", "Banjir kedua")
        writer.close()
    finally:
        assert "Traceback" not in running.stop()


def test_a_crawl_into_the_served_archive_finishes_while_pages_are_read(
        mockserver: MockServer, tmp_path: Path) -> None:
    db = tmp_path / "growing.db"
    Archive(db).close()
    sites = write_sites(tmp_path / "sites", {k: mockserver.profiles[k] for k in SITES})
    running = start_server(db)
    statuses: list[int] = []
    done = threading.Event()

    def read_pages() -> None:
        while not done.is_set():
            for path in ("/growing/-/search?q=samarinda", "/growing/articles.json",
                         "/growing/-/search"):
                statuses.append(running.get(path)[0])

    reader = threading.Thread(target=read_pages)
    reader.start()
    mockserver.set_slow(0)  # the slow trap page's timeout is test_bad_input's subject
    try:
        result = crawl(SITES, sites, db, settings=SETTINGS)
    finally:
        mockserver.reset()
        done.set()
        reader.join()
    try:
        assert result.process.returncode == 0, result.process.stderr
        assert statuses and set(statuses) == {200}
        with Archive(db, readonly=True) as archive:
            archived = archive.count()
        assert archived > 0
        status, page = running.get("/growing/-/search")
        assert status == 200 and f'data-total="{archived}"' in page
    finally:
        assert "Traceback" not in running.stop()


# --- the command's errors -------------------------------------------------------------------

def test_serve_without_an_archive_says_how_to_make_one(warta, tmp_path: Path) -> None:
    status, _, err = warta("serve", "--db", str(tmp_path / "none.db"))
    assert status == 1
    assert err.startswith(f"Error: no archive at {tmp_path / 'none.db'}: make one with")
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "none.db").exists()


def test_serve_of_a_file_that_is_not_an_archive_is_one_line(warta, tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"not a database at all " * 100)
    status, _, err = warta("serve", "--db", str(bad))
    assert status == 1
    assert err == f"Error: {bad} is not a SQLite database, so not a warta archive; is --db " \
                  "the right file?\n"


def test_serve_of_a_damaged_archive_names_it_and_how_to_check_it(warta, db_path: Path) -> None:
    with Archive(db_path) as archive:
        archive.write([make_record(n, body="kata " * 2000) for n in range(1, 40)])
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(db_path.read_bytes())
    data[page_size * 5:page_size * 9] = b"\xff" * (page_size * 4)  # a few pages trampled
    db_path.write_bytes(bytes(data))
    status, _, err = warta("serve", "--db", str(db_path))
    assert status == 74
    assert err.startswith(f"Error: the archive {db_path} is damaged")
    assert "PRAGMA integrity_check" in err and len(err.splitlines()) == 1


def test_serve_on_a_port_in_use_says_so(warta, corpus: Archive, db_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        status, _, err = warta("serve", "--db", str(db_path), "--port", str(port))
    assert status == 1
    assert err.startswith(f"Error: cannot listen on 127.0.0.1:{port} (Address already in use)")


def test_serve_refuses_a_path_sqlite_would_read_as_a_uri(warta, tmp_path: Path) -> None:
    odd = tmp_path / "a?mode=rw.db"
    with Archive(odd) as archive:
        archive.write([make_record(1)])
    status, _, err = warta("serve", "--db", str(odd))
    assert status == 2
    assert "holds '?', which SQLite reads as part of a URI" in err


@pytest.mark.parametrize(("query", "message"), [
    ("q=" + "+".join(f"kata{n}" for n in range(70)), "different words; warta searches at most 64"),
    ("q=banjir&source=nowhere", "unknown source 'nowhere'; the archive has: "),
    ("q=banjir&month=2023-13", "month: '2023-13' is not a month such as 2023-05"),
    ("q=banjir&page=0", "page: '0' is not a page number"),
    ("q=banjir&page=abc", "page: 'abc' is not a page number"),
    ("q=banjir&sort=sideways", "sort: 'sideways' is not one of rank, newest, oldest"),
    ("q=banjir&marker=zzz", "marker: 'zzz' is not one of"),
    ("q=banjir&by=year", "by: 'year' is not one of month, week, day"),
    ("q=%22banjir&raw=1", "--raw: the FTS5 query"),
])
def test_a_bad_search_is_one_error_line_on_the_page(server: Server, query: str,
                                                    message: str) -> None:
    status, page = server.get(f"/{server.name}/-/search?{query}")
    assert status == 400
    errors = page.split('<p class="warta-error" role="alert">')[1:]
    assert len(errors) == 1
    assert message in html.unescape(errors[0].split("</p>")[0])
    assert "Traceback" not in page


@pytest.mark.parametrize("path", [
    "/", "/{db}", "/{db}/articles", "/{db}/articles/1", "/{db}/-/search?q=banjir",
    "/{db}?sql=select+title+from+articles+limit+3",
])
def test_pages_load_nothing_from_another_host(server: Server, path: str) -> None:
    status, page = server.get(path.format(db=server.name))
    assert status == 200
    loaded = re.findall(r'<(?:script|img|iframe|source)[^>]*\ssrc="([^"]*)"', page)
    loaded += [href for tag in re.findall(r"<link\b[^>]*>", page)
               for href in re.findall(r'\shref="([^"]*)"', tag)]
    assert loaded  # the style sheets at least
    own = [url for url in loaded if (url.startswith("/") and not url.startswith("//"))
           or url.startswith(server.url + "/")]  # (Datasette's rel=alternate is absolute)
    assert own == loaded
    assert "@import" not in page and "url(http" not in page


def test_the_search_pages_follow_one_another(server: Server, crawled: Crawled) -> None:
    with Archive(crawled.db, readonly=True) as archive:
        expected = archive.search(None, limit=1000)
    assert len(expected) > 20
    status, first = server.get(f"/{server.name}/-/search?sort=newest")
    assert status == 200
    next_url = html.unescape(first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0])
    status, second = server.get(next_url)
    assert status == 200
    ids = [int(part.split("'")[0].split('"')[0])
           for part in second.split('class="warta-result" data-id="')[1:]]
    assert ids == [r["id"] for r in expected[20:40]]


def _result_ids(page: str) -> list[int]:
    return [int(part.split("'")[0].split('"')[0])
            for part in page.split('class="warta-result" data-id="')[1:]]


def test_exact_words_switch_off_the_other_word_forms(server: Server, crawled: Crawled) -> None:
    """The page finds a word's other forms (as `warta search`), and "Exact words" only the
    word as written (as `warta search --exact`)."""
    with Archive(crawled.db, readonly=True) as archive:
        words = {w for r in archive.search(None, limit=1000)
                 for w in re.findall(r"[a-z]{5,}", r["title"].lower())}
        found = [(w, archive.search(w, limit=1000, sort="newest"),
                  archive.search(w, exact=True, limit=1000, sort="newest"))
                 for w in sorted(words)]
    word, forms, exact = next((w, f, e) for w, f, e in found if 0 < len(e) < len(f) <= 20)
    status, page = server.get(f"/{server.name}/-/search?q={word}&sort=newest")
    assert status == 200 and _result_ids(page) == [r["id"] for r in forms]
    status, page = server.get(f"/{server.name}/-/search?q={word}&sort=newest&exact=1")
    assert status == 200 and _result_ids(page) == [r["id"] for r in exact]
    assert 'name="exact" value="1" checked' in page
