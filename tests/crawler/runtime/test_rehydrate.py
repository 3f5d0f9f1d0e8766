"""`warta rehydrate`: a URL list (a urls-only export or a plain list) crawled back into a new
archive by real `warta` child processes against the mock server: the same articles as the
crawl that made the list, exactly the listed ones, and a report of what could not be fetched."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from archive import Archive, UsageError, article_uid
from archive.export import export
from crawler.runtime.rehydrate import host_key, read_list
from tests.crawler.warta_run import FAST_SETTINGS, CrawlRun, crawl, run_warta, write_sites
from tests.mockserver import traps
from tests.mockserver.client import MockServer

SITES = ["mahakampos", "benuaetam"]
"""The legacy template (related headlines above the title, text-only dates) and the
multi-page one (AMP variants, page 2 and 3, windows-1252): no traps, so the crawl is quick."""

README = Path(__file__).resolve().parents[3] / "README.md"


@pytest.fixture(scope="module")
def original(mockserver: MockServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    folder = tmp_path_factory.mktemp("rehydrate")
    sites = write_sites(folder / "sites", mockserver.profiles)
    run = crawl(SITES, sites, folder / "original.db")
    assert run.process.returncode == 0, run.process.stderr
    return run


@pytest.fixture(scope="module")
def sites(original: CrawlRun) -> Path:
    return original.db.parent / "sites"


def articles(db: Path) -> set[tuple[Any, ...]]:
    """What a rebuild must give back: id, URL, outlet, title, date and text of every article."""
    with sqlite3.connect(db) as conn:
        return set(conn.execute("SELECT uid, url, source, title, published_at, content_hash, "
                                "word_count FROM articles"))


def rehydrate(url_list: Path, db: Path, *extra: str) -> Any:
    args = ["rehydrate", str(url_list), "--db", str(db), *extra]
    for setting in FAST_SETTINGS:
        args += ["-s", setting]
    return run_warta(*args)


def test_a_urls_only_export_rebuilds_the_same_articles(original: CrawlRun, sites: Path,
                                                       tmp_path: Path) -> None:
    # Parquet here; JSON lines, CSV and plain lists are read by the same code after parsing
    # (test_lists_in_every_format_read_the_same), and crawled by the tests below.
    name = "urls.parquet"
    with Archive(original.db, readonly=True) as archive:
        export(archive, tmp_path / name, urls_only=True)
    rebuilt = tmp_path / "rebuilt.db"
    result = rehydrate(tmp_path / name, rebuilt, "--sites-dir", str(sites))
    assert result.returncode == 0, result.stderr
    want = articles(original.db)
    assert articles(rebuilt) == want
    assert result.stdout.splitlines()[-1] == (
        f"Rehydrated all {len(want)} listed URLs into {rebuilt}.")


def test_only_the_listed_urls_are_crawled(original: CrawlRun, sites: Path,
                                          tmp_path: Path) -> None:
    """Listed mode follows no related headline: ten of them sit above every mahakampos
    title, and a normal crawl would fetch them."""
    with Archive(original.db, readonly=True) as archive:
        export(archive, tmp_path / "few.csv", urls_only=True, source="mahakampos")
    with (tmp_path / "few.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))[:3]
    listed = tmp_path / "few.txt"
    listed.write_text("# three articles\n\n" + "".join(f"{r['url']}  {r['title']}\n"
                                                      for r in rows))
    rebuilt = tmp_path / "few.db"
    result = rehydrate(listed, rebuilt, "--sites-dir", str(sites))
    assert result.returncode == 0, result.stderr
    assert {a[1] for a in articles(rebuilt)} == {r["url"] for r in rows}
    with sqlite3.connect(rebuilt) as conn:
        (related,) = conn.execute("SELECT count(*) FROM article_links").fetchone()
        (crawls,) = conn.execute("SELECT count(*) FROM crawls WHERE finish_reason = "
                                 "'finished'").fetchone()
    assert related >= 10 and crawls == 1  # the links are recorded, not followed


def test_a_url_without_a_profile_is_read_with_one_made_from_its_host(
        original: CrawlRun, tmp_path: Path) -> None:
    with Archive(original.db, readonly=True) as archive:
        export(archive, tmp_path / "urls.jsonl", urls_only=True, source="benuaetam")
    rows = [json.loads(line) for line in (tmp_path / "urls.jsonl").read_text().splitlines()]
    listed = tmp_path / "plain.txt"
    listed.write_text(rows[0]["url"] + "\n")
    rebuilt = tmp_path / "plain.db"
    result = rehydrate(listed, rebuilt)  # no --sites-dir: no bundled profile owns 127.0.0.1
    assert result.returncode == 0, result.stderr
    key = host_key(rows[0]["url"])
    assert (f"Note: no profile for {key}: read with a profile derived from the URL's host "
            "(Asia/Jakarta for times shown without a zone); give --sites-dir for better "
            "fields") in result.stderr
    with sqlite3.connect(rebuilt) as conn:
        got = conn.execute("SELECT uid, url, source, title FROM articles").fetchall()
        homepage = conn.execute("SELECT homepage FROM sources WHERE key = ?", (key,)).fetchone()
    assert got == [(rows[0]["uid"], rows[0]["url"], key, rows[0]["title"])]
    assert homepage == (f"http://{urlsplit(rows[0]['url']).netloc}/",)


def test_what_could_not_be_fetched_is_reported_and_written(
        mockserver: MockServer, original: CrawlRun, sites: Path, tmp_path: Path) -> None:
    with Archive(original.db, readonly=True) as archive:
        export(archive, tmp_path / "good.jsonl", urls_only=True, source="mahakampos")
    good = json.loads((tmp_path / "good.jsonl").read_text().splitlines()[0])
    news = mockserver.url(traps.TRAP_SITE, "")
    closed = "http://127.0.0.1:9/berita/1"  # the discard port: nothing listens on loopback
    listed = tmp_path / "mixed.csv"
    with listed.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["uid", "url", "source", "published_at", "title"])
        writer.writerow([good["uid"], good["url"], good["source"], good["published_at"],
                         good["title"]])
        for path, reason in ((traps.MISSING_PATH, ""), (traps.DISALLOWED_PATH, ""),
                             (traps.ERROR_PATH, ""), (traps.EMPTY_PATH, "")):
            writer.writerow(["", news + path, traps.TRAP_SITE, "", reason])
        writer.writerow(["", closed, "gone", "", ""])
        writer.writerow(["", news + traps.REDIRECT_PATH, traps.TRAP_SITE, "", ""])  # moved
    failed = tmp_path / "failed.csv"
    result = rehydrate(listed, tmp_path / "mixed.db", "--sites-dir", str(sites), "--failed",
                       str(failed))
    assert result.returncode == 0, result.stderr
    report = result.stdout.splitlines()
    start = report.index(f"Rehydrated 2 of 7 listed URLs into {tmp_path / 'mixed.db'}; 5 could "
                         "not be fetched:")
    assert report[start + 1:start + 5] == [
        f"  {news}{traps.MISSING_PATH}  (HTTP 404)",
        f"  {news}{traps.DISALLOWED_PATH}  (forbidden by robots.txt)",
        f"  {news}{traps.ERROR_PATH}  (HTTP 500)",
        # the reason the crawl counted (errors/empty_body), not just "no article was read"
        f"  {news}{traps.EMPTY_PATH}  (empty_body: HTTP 200 with an empty body)"]
    assert report[start + 5].startswith(f"  {closed}  (connection_refused: ")
    # The old URL redirects to the article's new one, which is what the archive keeps.
    target = next(a["url"] for a in mockserver.articles if a["id"] == traps.REDIRECT_TARGET)
    assert report[start + 6:] == [
        f"1 listed URL archived under the canonical URL the page declares now (e.g. "
        f"{news}{traps.REDIRECT_PATH} -> {target}).",
        f"Wrote the 5 URLs that could not be fetched to {failed} "
        f"(`warta rehydrate {failed}` tries them again)."]
    with failed.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["url"], r["source"], r["reason"]) for r in rows[:2]] == [
        (news + traps.MISSING_PATH, traps.TRAP_SITE, "HTTP 404"),
        (news + traps.DISALLOWED_PATH, traps.TRAP_SITE, "forbidden by robots.txt")]
    # The list of failures is itself a list rehydrate reads.
    assert [item.url for item in read_list(failed)] == [r["url"] for r in rows]
    with sqlite3.connect(tmp_path / "mixed.db") as conn:
        assert sorted(conn.execute("SELECT url FROM articles")) == sorted(
            [(good["url"],), (target,)])


# --- reading lists (no crawl) -------------------------------------------------------------------

URLS = ["https://kaltimpost.example/berita/1", "https://sapos.example/b/2"]


def test_lists_in_every_format_read_the_same(tmp_path: Path) -> None:
    rows = [{"uid": article_uid(u), "url": u, "source": s, "title": "T"}
            for u, s in zip(URLS, ["kaltimpost", "sapos"], strict=True)]
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with (tmp_path / "a.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "a.parquet")
    (tmp_path / "a.txt").write_text(f"# kaltim\n{URLS[0]}\tfirst\n\n{URLS[1]}\n{URLS[0]}\n")
    for name in ("a.jsonl", "a.csv", "a.parquet"):
        got = read_list(tmp_path / name)
        assert [(i.url, i.source) for i in got] == [(URLS[0], "kaltimpost"), (URLS[1], "sapos")]
    assert [(i.url, i.source, i.line) for i in read_list(tmp_path / "a.txt")] == [
        (URLS[0], None, 2), (URLS[1], None, 4)]  # each URL once, comments skipped


def test_a_partitioned_export_is_a_list(corpus_archive: Archive, tmp_path: Path) -> None:
    export(corpus_archive, tmp_path / "parts", partition=True, urls_only=True)
    got = read_list(tmp_path / "parts")
    assert sorted((i.url, i.source) for i in got) == sorted(
        (a["url"], a["source"]) for a in corpus_archive.iter_articles())


@pytest.fixture
def corpus_archive(tmp_path: Path) -> Archive:
    from tests.archive.conftest import fill

    archive = Archive(tmp_path / "corpus.db")
    fill(archive)
    return archive


@pytest.mark.parametrize(("name", "text", "message"), [
    ("none.txt", None, "LIST: .*none.txt does not exist; give a urls-only export"),
    ("empty.txt", "# nothing\n", "LIST: .*empty.txt holds no URLs"),
    ("bad.txt", "kaltimpost.example/berita/1\n",
     "bad.txt:1: 'kaltimpost.example/berita/1' is not an http\\(s\\) URL"),
    ("cols.csv", "link,title\nhttps://a.example/1,x\n",
     "cols.csv: no 'url' column in the CSV header \\(columns: link, title\\)"),
    ("uid.jsonl", json.dumps({"uid": "0000000000000000", "url": URLS[0]}) + "\n",
     f"uid.jsonl:1: uid 0000000000000000 is not the uid of {URLS[0]} "
     f"\\({article_uid(URLS[0])}\\); was the list edited"),
    ("broken.jsonl", '{"url": \n', "broken.jsonl:1: not a JSON object"),
])
def test_a_bad_list_is_one_line(tmp_path: Path, name: str, text: str | None,
                                message: str) -> None:
    if text is not None:
        (tmp_path / name).write_text(text)
    with pytest.raises(UsageError, match=message):
        read_list(tmp_path / name)


def test_bad_input_on_the_command_line_crawls_nothing(tmp_path: Path) -> None:
    listed = tmp_path / "list.txt"
    listed.write_text(URLS[0] + "\n")
    result = run_warta("rehydrate", str(listed), "--db", str(tmp_path / "x.db"), "--failed",
                       str(tmp_path / "missing" / "failed.csv"), real=True)  # the executable
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f"Error: --failed: the folder {tmp_path / 'missing'} does not "
                             "exist; create it first\n")
    result = run_warta("rehydrate", str(tmp_path / "nope.csv"), "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert result.stderr.startswith(f"Error: LIST: {tmp_path / 'nope.csv'} does not exist")
    assert not (tmp_path / "x.db").exists()


def test_readme_documents_rehydrate() -> None:
    text = README.read_text(encoding="utf-8")
    assert "### `warta rehydrate`" in text
    section = text.split("### `warta rehydrate`", 1)[1].split("\n## ", 1)[0]
    assert "\nwarta rehydrate " in section
    for option in ("--db", "--sites-dir", "--failed", "-s", "--log-level", "--progress"):
        assert option in section, option
