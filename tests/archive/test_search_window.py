"""The newest matches of a broad query found in windows of the newest ids
(archive/search_window.py): a phrase of common words that seldom meet is ranked among the
matches of the newest part of the archive, and says so; matches that are all old are still
found; date filters bound the windows."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from pathlib import Path

import pytest

from archive import Archive, query, search_rank, search_window
from archive.maintain import maintain

FILLER = ["desa", "warga", "jalan", "dinas", "pasar", "harga", "air", "sungai", "upah"]
#: 400 articles, ids 1..400 in order, a day apart from 2020-01-01. Every one holds `rumah`
#: and `sakit` apart; the phrase "rumah sakit" is in every 37th, and "rumah rumah" only in
#: the five oldest.
ARTICLES = 400
PHRASED = range(37, ARTICLES + 1, 37)
OLD = range(1, 6)
START = dt.date(2020, 1, 1)


def _article(n: int) -> dict[str, object]:
    rng = random.Random(n)
    words = ["rumah", *rng.choices(FILLER, k=rng.randint(20, 80)), "sakit"]
    if n in PHRASED:
        words += ["rumah", "sakit"]
    if n in OLD:
        words = ["rumah", *words]
    return {"url": f"https://kaltimpost.example/{n}", "source": "kaltimpost",
            "title": " ".join(rng.choices(FILLER, k=5)), "body": " ".join(words) + ".",
            "published_at": f"{START + dt.timedelta(days=n - 1)}T08:00:00+08:00"}


@pytest.fixture
def spread(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The archive above, maintained (every word counted), with windows of a few dozen ids
    (as an archive of millions has windows of tens of thousands) and every query ranked the
    cached way."""
    monkeypatch.setattr(search_rank, "TERM_DOCS_MIN", 1)
    monkeypatch.setattr(search_rank, "FTS5_POSTINGS_MAX", 0)
    monkeypatch.setattr(search_window, "WINDOW_POSTINGS", 100)
    monkeypatch.setattr(search_window, "MIN_WINDOW", 10)
    monkeypatch.setattr(query, "STATS_CANDIDATES", 30)
    with Archive(db_path) as archive:
        archive.write([_article(n) for n in range(1, ARTICLES + 1)])
    maintain(db_path)
    return db_path


def _fts5_order(path: Path, match: str, ids: list[int]) -> list[int]:
    conn = sqlite3.connect(path)
    marks = ", ".join("?" * len(ids))
    rows = [r[0] for r in conn.execute(
        f"SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid IN ({marks}) "
        "ORDER BY rank, rowid", (match, *ids))]
    conn.close()
    return rows


def test_a_spread_phrase_is_ranked_among_the_matches_of_the_newest_articles(
        spread: Path) -> None:
    with Archive(spread, readonly=True) as archive:
        found = archive.search('"rumah sakit"', limit=5)
    # windows of 50, 100, 200 ids below the newest: 9 matches in the newest 350 articles
    newest = [n for n in PHRASED if n > ARTICLES - 350]
    assert found.ranking == (
        f"bm25 with the word counts of warta maintain over the {len(newest)} matches among "
        "the newest 350 articles (older ones were not searched; --rank all ranks every match)")
    assert found.bounded
    # the best of those matches, in FTS5's own bm25 order (one phrase: its weight, estimated
    # from the newest articles, scales every score alike)
    assert [r["id"] for r in found] == _fts5_order(spread, '"rumah sakit"', newest)[:5]


def test_a_page_is_filled_when_enough_articles_match(spread: Path) -> None:
    with Archive(spread, readonly=True) as archive:
        found = archive.search('"rumah sakit"', limit=10)
    # 9 matches in the newest 350 articles are less than a page: the whole archive is searched
    assert found.ranking == "bm25 with the word counts of warta maintain over every match"
    assert sorted(r["id"] for r in found) == list(PHRASED)


def test_matches_that_are_all_old_are_found(spread: Path) -> None:
    # a phrase of the commonest word: windows of 50, 100, 200 ids find none, the next
    # reaches the oldest articles
    with Archive(spread, readonly=True) as archive:
        found = archive.search('"rumah rumah"', limit=5)
        every = archive.search('"rumah rumah"', limit=5, rank="all")
    assert found.ranking == "bm25 with the word counts of warta maintain over every match"
    assert not found.bounded
    assert [r["id"] for r in found] == [r["id"] for r in every]
    assert sorted(r["id"] for r in found) == list(OLD)


def test_a_date_filter_narrows_before_the_windows(spread: Path) -> None:
    since = START + dt.timedelta(days=36)          # article 37 on
    until = START + dt.timedelta(days=36 + 111)    # to article 148: 37, 74, 111, 148 match
    period = [n for n in PHRASED if 37 <= n <= 148]
    with Archive(spread, readonly=True) as archive:
        found = archive.search('"rumah sakit"', limit=len(period), since=str(since),
                               until=str(until))
    assert found.ranking == "bm25 with the word counts of warta maintain over every match"
    assert [r["id"] for r in found] == _fts5_order(spread, '"rumah sakit"', period)


def test_a_phrase_of_three_words_is_walked_once(spread: Path) -> None:
    # FTS5 walks such a phrase past the end of a rowid range: windows would repeat the walk
    walks: list[str] = []
    with Archive(spread, readonly=True) as archive:
        archive.connection.set_trace_callback(
            lambda sql: walks.append(sql) if "ORDER BY articles_fts.rowid DESC" in sql else None)
        found = archive.search('"desa warga pasar"', limit=5)
        windowed = archive.search('"desa warga"', limit=5)
    assert found.ranking.startswith("bm25 with the word counts of warta maintain")
    assert windowed.ranking.startswith("bm25 with the word counts of warta maintain")
    assert len(walks) == 2


def test_a_query_of_many_word_forms_ranks_fewer_of_its_newest_matches(
        spread: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the text counted per query is bounded: RANK_SCANS phrases x candidates
    monkeypatch.setattr(query, "RANK_SCANS", 60)
    monkeypatch.setattr(query, "STATS_CANDIDATES_MIN", 5)
    with Archive(spread, readonly=True) as archive:
        one = archive.search("desa", limit=5, exact=True)
        three = archive.search("desa warga pasar", limit=5, exact=True)
        match = str(archive.match_query("desa warga pasar", exact=True))
    assert one.ranking.startswith("bm25 with the word counts of warta maintain over the "
                                  "newest 30 matches")  # STATS_CANDIDATES, fewer than 60 / 1
    assert three.ranking.startswith("bm25 with the word counts of warta maintain over the "
                                    "newest 20 matches")  # 60 / 3
    newest = [n for n in range(ARTICLES, 0, -1) if n in _matching(spread, match)][:20]
    assert [r["id"] for r in three] == _fts5_order(spread, match, newest)[:5]


def _matching(path: Path, match: str) -> set[int]:
    conn = sqlite3.connect(path)
    found = {r[0] for r in conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (match,))}
    conn.close()
    return found


def test_any_typed_text_searched_in_windows_finds_only_matches_of_the_articles_searched(
        spread: Path) -> None:
    """300 texts drawn from words, phrases, operators, prefixes and columns: each searches;
    every result matches; a page ranked among the newest articles holds only those; one
    ranked over every match is FTS5's own order."""
    pieces = ["rumah", "sakit", "desa", "warga", "pasar", '"rumah sakit"', '"rumah rumah"',
              '"desa warga"', "OR", "AND", "NOT", "(", ")", "ru*", "title:desa", "body:sakit",
              '"', "upah", "harga"]
    rng = random.Random(19)
    with Archive(spread, readonly=True) as archive:
        for _ in range(300):
            text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
            found = archive.search(text, limit=5)
            if not found.ranking.startswith("bm25 with the word counts"):
                continue  # nothing to search for, or FTS5's ranking (brackets, mixed OR)
            match = str(archive.match_query(text))
            matching = _matching(spread, match)
            ids = [r["id"] for r in found]
            assert set(ids) <= matching, text
            if "among the newest" in found.ranking:
                searched = int(found.ranking.split("among the newest ")[1].split()[0])
                assert min(ids) > ARTICLES - searched, text
            elif found.ranking.endswith("over every match"):
                assert ids == _fts5_order(spread, match, sorted(matching))[:5], text


def test_a_spread_page_is_read_as_a_range_when_its_postings_are_fewer(
        spread: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the snippets of a page spread over many ids: a range of the index when the counts
    # predict its postings cost less than looking each id up for each word; same results
    monkeypatch.setattr(query, "SNIPPET_RANGE_MAX", 10)
    pages = {}
    for lookup in (700, 1):
        monkeypatch.setattr(query, "SNIPPET_LOOKUP_POSTINGS", lookup)
        snippets: list[str] = []
        with Archive(spread, readonly=True) as archive:
            archive.connection.set_trace_callback(
                lambda sql, out=snippets: out.append(sql) if "snippet(" in sql else None)
            found = archive.search('"rumah sakit"', limit=5)
        assert max(r["id"] for r in found) - min(r["id"] for r in found) > 10
        assert len(snippets) == 1
        pages[lookup] = ("BETWEEN" in snippets[0], [dict(r) for r in found])
    assert pages[700][0] and not pages[1][0]
    assert pages[700][1] == pages[1][1]
    assert all("«rumah sakit»" in r["snippet"] for r in pages[700][1])
