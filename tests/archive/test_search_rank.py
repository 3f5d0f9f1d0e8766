"""Ranking a broad query's newest matches with the word counts `warta maintain` keeps
(archive/search_rank.py): the same bm25 FTS5 gives, at a cost that does not grow with the
archive; FTS5's own ranking until the first maintain and for `--rank all`."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from archive import Archive, query, search_rank
from archive.maintain import maintain

WORDS = ["banjir", "pemerintah", "kabupaten", "rumah", "sakit", "desa", "warga", "jalan",
         "pembangunan", "dinas", "kesehatan", "sekolah", "pasar", "harga", "beras", "air",
         "bersih", "sungai", "upah", "minimum", "buruh", "stunting", "kebanjiran"]
#: Text a tokenizer can get wrong: accents, curly quotes, dashes, underscores, digits.
ODD = ["Café", "“banjir”", "rumah—sakit", "banjir_rob", "covid-19", "Sàmarinda", "BANJIR!",
       "rumah, sakit", "2023"]


def _records(start: int, count: int) -> list[dict[str, object]]:
    out = []
    for n in range(start, start + count):
        rng = random.Random(n)
        words = rng.choices(WORDS, k=rng.randint(20, 120)) + rng.choices(ODD, k=3)
        rng.shuffle(words)
        out.append({"url": f"https://kaltimpost.example/{n}", "source": "kaltimpost",
                    "title": " ".join(rng.choices(WORDS + ODD, k=rng.randint(3, 9))),
                    "body": " ".join(words) + "."})
    return out


@pytest.fixture
def maintained(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """120 articles, maintained: every word counted (in production only the words of at
    least TERM_DOCS_MIN articles are)."""
    monkeypatch.setattr(search_rank, "TERM_DOCS_MIN", 1)
    with Archive(db_path) as archive:
        for start in range(0, 120, 40):
            archive.write(_records(start, 40))
    maintain(db_path)
    return db_path


def _fts5_bm25(path: Path, match: str, ids: list[int]) -> list[tuple[int, float]]:
    """FTS5's own bm25 of the articles `ids`, best first."""
    conn = sqlite3.connect(path)
    marks = ", ".join("?" * len(ids))
    rows = conn.execute(f"SELECT rowid, rank FROM articles_fts WHERE articles_fts MATCH ? "
                        f"AND rowid IN ({marks}) ORDER BY rank, rowid", (match, *ids)).fetchall()
    conn.close()
    return rows


#: (query, candidates): words maintain counted are exact over the newest matches; a phrase of
#: words, a prefix or a column's words are counted in the span of the newest matches when more
#: match (an estimate), in the whole index when every match is ranked (exact).
QUERIES = [("banjir", 30), ("pemerintah kabupaten", 30), ("rumah sakit", 30), ("cafe", 30),
           ("samarinda", 30), ("covid-19", 1000), ("banjir OR stunting", 30),
           ("desa NOT sungai", 30), ("kesehatan AND upah", 30), ("2023", 30),
           ("banjir_rob", 1000), ('"rumah sakit"', 1000), ("title:banjir", 1000),
           ("body:sakit", 1000), ("banj*", 1000)]


@pytest.mark.parametrize(("text", "candidates"), QUERIES)
def test_after_maintain_a_broad_query_gets_fts5s_bm25_over_its_newest_matches(
        maintained: Path, monkeypatch: pytest.MonkeyPatch, text: str, candidates: int) -> None:
    monkeypatch.setattr(query, "STATS_CANDIDATES", candidates)
    monkeypatch.setattr(search_rank, "FTS5_POSTINGS_MAX", 0)  # every query the cached way
    with Archive(maintained, readonly=True) as archive:
        found = archive.search(text, limit=10)
        match = archive.match_query(text)
        every = [r[0] for r in archive.connection.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC",
            (match,))]
    assert found, text
    assert found.ranking.startswith("bm25 with the word counts of warta maintain over ")
    assert found.bounded == (len(every) > candidates)
    expected = _fts5_bm25(maintained, str(match), every[:candidates])[:10]
    assert [r["id"] for r in found] == [article_id for article_id, _ in expected]
    assert [r["rank"] for r in found] == pytest.approx([score for _, score in expected],
                                                        rel=1e-9)


def test_before_the_first_maintain_fts5_ranks_as_before(db_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setattr(query, "STATS_CANDIDATES", 30)
    monkeypatch.setattr(search_rank, "FTS5_POSTINGS_MAX", 0)
    with Archive(db_path) as archive:
        archive.write(_records(0, 80))
        found = archive.search("banjir", limit=5)
    assert found.ranking.startswith("bm25 over the newest 2,000 matches") or \
        found.ranking == "bm25 over every match"


def test_a_query_of_rare_words_keeps_fts5s_bm25_over_every_match(maintained: Path) -> None:
    with Archive(maintained, readonly=True) as archive:
        found = archive.search("stunting", limit=5)
        every = archive.search("stunting", limit=5, rank="all")
    assert found.ranking == "bm25 over every match"
    assert [r["id"] for r in found] == [r["id"] for r in every]


def test_a_mix_of_or_and_brackets_keeps_fts5s_bm25(maintained: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # FTS5 counts no instance of `desa` in an article where `(desa sungai)` failed and
    # `banjir` matched; counting the text would: such queries are left to FTS5
    monkeypatch.setattr(search_rank, "FTS5_POSTINGS_MAX", 0)
    with Archive(maintained, readonly=True) as archive:
        for text in ["(desa sungai) OR banjir", "desa sungai OR banjir", "(upah OR buruh) desa"]:
            found = archive.search(text, limit=5)
            assert found.ranking.startswith("bm25 over "), text
            assert [r["id"] for r in found] == [
                r["id"] for r in archive.search(text, limit=5, rank="all")], text


def test_words_written_after_maintain_are_counted_and_ranked(
        maintained: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(query, "STATS_CANDIDATES", 30)
    monkeypatch.setattr(search_rank, "FTS5_POSTINGS_MAX", 0)
    with Archive(maintained) as archive:
        archive.write([{"url": f"https://kaltimpost.example/new/{n}", "source": "kaltimpost",
                        "title": f"Longsor {n}", "body": "longsor " * n + "di desa."}
                       for n in range(1, 6)])
        found = archive.search("longsor", limit=5)
    # a word new since maintain: counted in the index, so exactly FTS5's order and scores
    assert found.ranking == "bm25 with the word counts of warta maintain over every match"
    expected = _fts5_bm25(maintained, '"longsor"', [r["id"] for r in found])
    assert [(r["id"], pytest.approx(r["rank"], rel=1e-9)) for r in found] == expected


def test_the_cli_says_which_ranking_it_used(maintained: Path, warta,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, err = warta("maintain", "--db", str(maintained))
    assert err == ""
    assert status == 0 and "counted the articles of" in out and "common words" in out
    monkeypatch.setattr(query, "STATS_CANDIDATES", 3)
    monkeypatch.setattr(search_rank, "FTS5_POSTINGS_MAX", 0)
    status, out, _ = warta("search", "banjir", "--limit", "2", "--db", str(maintained))
    assert status == 0
    assert out.splitlines()[-1] == ("Ranked by bm25 with the word counts of warta maintain "
                                    "over the newest 3 matches (more match; --rank all ranks "
                                    "them all).")


def test_tokens_split_as_the_index_splits() -> None:
    assert search_rank.tokens("Café “Banjir”—rob_x, covid-19!") == [
        b"cafe", b"banjir", b"rob", b"x", b"covid", b"19"]
    assert search_rank.padded("Banjir, banjir.") == b" banjir    banjir   "
    assert search_rank.Phrase((b"banjir",)).count_in(search_rank.padded("Banjir banjir")) == 2
    assert search_rank.Phrase((b"rumah", b"sakit")).count_in(
        search_rank.padded("rumah, sakit rumah sakitnya")) == 1
    assert search_rank.Phrase((b"sakit",), prefix=True).count_in(
        search_rank.padded("rumah, sakit rumah sakitnya")) == 2


def test_any_typed_text_gets_fts5s_scores_when_every_match_is_ranked(
        maintained: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """500 texts drawn from operators, brackets, quotes, prefixes, columns and odd tokens:
    each searches, and its scores are FTS5's own."""
    monkeypatch.setattr(query, "STATS_CANDIDATES", 1000)
    monkeypatch.setattr(search_rank, "FTS5_POSTINGS_MAX", 0)
    pieces = ["banjir", "rumah", "sakit", "OR", "AND", "NOT", "NEAR", "(", ")", '"', "*",
              "title:", "body:", ":", "-", "banj*", "Café", "covid-19", "“banjir”", "2023",
              "Sàmarinda", "BANJIR!", "or", "kebanjiran", "_", "ß", "İ"]
    rng = random.Random(19)
    with Archive(maintained, readonly=True) as archive:
        for _ in range(500):
            text = "".join(rng.choice(pieces) + rng.choice(["", " "])
                           for _ in range(rng.randint(1, 6)))
            found = archive.search(text, limit=1000)
            if not found.ranking.startswith("bm25 with the word counts"):
                continue  # nothing to search for, or no match
            expected = _fts5_bm25(maintained, str(archive.match_query(text)),
                                  [r["id"] for r in found])
            assert [(r["id"], pytest.approx(r["rank"], rel=1e-9)) for r in found] == \
                expected, text
