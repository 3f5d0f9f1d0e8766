"""Search: ranking, escaping of anything a user types, raw FTS5, filters, sorting, streaming."""

from __future__ import annotations

import json
import types

import pytest

from archive import Archive, UsageError
from archive.query import escape_query


def ids(results: list[dict]) -> list[int]:
    return [r["id"] for r in results]


def test_title_match_ranks_above_body_mentions(corpus: Archive) -> None:
    results = corpus.search("stunting")
    assert ids(results) == [1, 4, 2]
    assert results[0]["rank"] < results[1]["rank"] < results[2]["rank"]


def test_result_fields_and_highlighted_snippet(corpus: Archive) -> None:
    (hit,) = corpus.search("sanitasi", source="kaltimpost", since="2023-01-01")
    assert hit["id"] == 1
    assert hit["snippet"] == "SAMARINDA - Angka stunting turun berkat «sanitasi» yang lebih baik."
    assert hit["authors"] == ["Sri Wahyuni"]
    assert (hit["source"], hit["published_at"]) == ("kaltimpost", "2023-01-01T00:30:00+08:00")
    (custom,) = corpus.search("berkat", highlight=("<b>", "</b>"))
    assert "<b>berkat</b>" in custom["snippet"]


def test_words_are_all_required_and_quotes_make_a_phrase(corpus: Archive) -> None:
    assert ids(corpus.search("stunting banjir")) == [2]
    assert ids(corpus.search('"sanitasi yang"')) == [1]
    assert corpus.search('"yang sanitasi"') == []


def test_diacritics_and_case_are_folded(corpus: Archive) -> None:
    assert ids(corpus.search("CAFE")) == [3]
    assert ids(corpus.search("café")) == [3]


@pytest.mark.parametrize("text", [
    '"', '""', '"""', "(", ")", "()", "*", "-", ":", "^", "{", "}", "+", "\\", "'", "NOT",
    "AND OR", "NEAR(", "title:", "author:budi", "a:b", "-stunting", "stunting OR",
    '"unbalanced stunting', "sta*r", "(stunting", "東京", "сталь", "🙂", "‘kutip’ «x»",
    "stunting\x00", "  ",
])
def test_any_text_searches_without_error(corpus: Archive, text: str) -> None:
    results = corpus.search(text)
    assert isinstance(results, list)


@pytest.mark.parametrize(("text", "expected"), [
    ("stunting OR banjir", [1, 2, 4]),    # as typed, without --raw
    ("stunting AND banjir", [2]),
    ("stunting NOT banjir", [1, 4]),
    ("stunt*", [1, 2, 4]),                # a prefix
    ("title:stunting", [1]),              # a column
    ("TITLE:banjir", [2]),
    ('body:"sanitasi air"', [4]),
    ("(banjir OR pemilu) kampanye", [3]),
    ("stunting or banjir", []),           # lower-case or is a word no article holds
    ("-stunting", [1, 2, 4]),             # not a NOT
    ('"unbalanced stunting', []),         # quote dropped, both words required
    ("pemilu: 2024", [3]),
    ("(kampanye)", [3]),
])
def test_queries_work_as_people_type_them(corpus: Archive, text: str,
                                          expected: list[int]) -> None:
    assert sorted(ids(corpus.search(text))) == expected


@pytest.mark.parametrize("pasted", ["\u202ebanjir", "ban\u00adjir", "\u200bbanjir\u200b",
                                    "banjir\u2069"])
def test_invisible_characters_pasted_with_a_word_are_ignored(pasted: str) -> None:
    assert escape_query(pasted) == escape_query("banjir")


@pytest.mark.parametrize(("text", "match"), [
    ("banjir OR", '"banjir" AND "OR"'),            # nothing on one side: the word OR
    ("NOT banjir", '"NOT" AND "banjir"'),
    ("banjir AND OR longsor", '"banjir" AND "AND" OR "longsor"'),
    ("(banjir) (longsor)", '( "banjir" ) AND ( "longsor" )'),
    ("(banjir", '"banjir"'),                   # an unbalanced bracket is dropped
    ("banjir ()", '"banjir"'),
    ("author:budi", '"author:budi"'),          # no such column: the text as written
    ('foo:"ibu kota"', '"foo" AND "ibu kota"'),
    ("sta*r", '"sta*r"'),                      # * inside a word is punctuation
    ('title:"ibu kota"*', 'title : "ibu kota"*'),
])
def test_what_would_be_a_syntax_error_is_taken_literally(text: str, match: str) -> None:
    assert escape_query(text) == match


def test_plain_words_match_their_word_forms_and_phrases_stay_exact(archive: Archive) -> None:
    archive.write([
        {"url": "https://x.example/1", "source": "x", "title": "Warga kebanjiran",
         "body": "Pemerintah kabupaten menyalurkan bantuan."},
        {"url": "https://x.example/2", "source": "x", "title": "Banjir surut",
         "body": "Perintah evakuasi dicabut."},
    ])
    assert sorted(ids(archive.search("banjir"))) == [1, 2]
    assert sorted(ids(archive.search("perintah"))) == [1, 2]
    assert ids(archive.search("banjir", exact=True)) == [2]
    assert ids(archive.search('"pemerintah kabupaten"')) == [1]
    assert ids(archive.search('"perintah kabupaten"')) == []     # a phrase is exact
    assert ids(archive.search("salur")) == [1]
    assert ids(archive.search("banjir warga")) == [1]              # a word with forms, and one more
    assert ids(archive.search("(banjir) perintah evakuasi")) == [2]
    assert sorted(ids(archive.search("title:banjir"))) == [1, 2]  # forms within the column
    assert ids(archive.search("body:banjir")) == []
    (hit,) = archive.search("salur")
    assert "«menyalurkan»" in hit["snippet"]                    # the form as printed


def test_word_forms_are_found_before_the_end_of_the_crawl(archive: Archive) -> None:
    """Words a write left pending (not yet stemmed) are stemmed by the search itself."""
    from archive import stems

    many = " ".join(f"kata{n}x" for n in range(stems.STEMS_PER_WRITE * 2))
    archive.write([{"url": "https://x.example/1", "source": "x", "title": many,
                    "body": "Jembatan itu dibangun kembali setelah kebanjiran."}])
    conn = archive.connection
    pending = conn.execute("SELECT count(*) FROM word_forms WHERE stem IS NULL").fetchone()[0]
    assert pending > 0
    assert ids(archive.search("bangun")) == [1]
    assert archive.stem_pending() == pending
    assert ids(archive.search("bangun")) == [1]


def test_words_of_a_rolled_back_write_are_stored_by_the_next_one(archive: Archive) -> None:
    """The archive remembers which words it stored, to spare looking them up again: a
    batch that fails after its words were added must not leave them remembered."""
    import sqlite3

    conn = archive.connection
    conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON article_links "
                 "WHEN new.title = 'refused' BEGIN SELECT RAISE(ABORT, 'refused'); END")
    record = {"url": "https://x.example/1", "source": "x", "title": "Warga kebanjiran",
              "body": "Air naik.", "related": [{"url": "https://x.example/9",
                                                "title": "refused"}]}
    with pytest.raises(sqlite3.IntegrityError):
        archive.write([record])
    assert archive.search("kebanjiran") == []
    archive.write([{**record, "related": []}])
    assert ids(archive.search("banjir")) == [1]   # the form, stored by the second write


def test_escape_query_keeps_phrases_and_drops_empty_pieces() -> None:
    assert escape_query('banjir "air bersih" -') == '"banjir" AND "air bersih"'
    assert escape_query('a"b') == '"a" AND "b"'  # an odd quote is dropped
    assert escape_query("*** --- :::") is None


@pytest.mark.parametrize(("query", "expected"), [
    ("stunting NOT banjir", [1, 4]),
    ("title:stunting", [1]),
    ("stunt*", [1, 4, 2]),
    ("banjir OR pemilu", [2, 3]),
    ('NEAR(banjir lutut, 2)', [2]),
    ('"sanitasi yang"', [1]),
])
def test_raw_mode_speaks_fts5(corpus: Archive, query: str, expected: list[int]) -> None:
    assert sorted(ids(corpus.search(query, raw=True))) == sorted(expected)


@pytest.mark.parametrize(("query", "reason"), [
    ("stunting AND", 'syntax error near ""'),
    ('"open phrase', "unterminated string"),
    ("author:budi", "no such column: author"),
    ("(banjir", 'syntax error near ""'),
])
def test_raw_syntax_errors_say_how_to_fix_them(corpus: Archive, query: str, reason: str) -> None:
    with pytest.raises(UsageError) as caught:
        corpus.search(query, raw=True)
    message = str(caught.value)
    assert message.startswith(f"--raw: the FTS5 query {query!r} is not valid ({reason}); ")
    assert "drop --raw to search the words as written" in message


def test_source_filter_takes_lists_and_commas(corpus: Archive) -> None:
    assert ids(corpus.search(source="kaltimpost", sort="oldest")) == [1, 4]
    both = ["kaltimpost", "jakartanews"]
    # Articles 1 and 3 were published at the same instant: ties go by id.
    assert ids(corpus.search(source=both, sort="oldest")) == [1, 3, 4]
    assert ids(corpus.search(source="kaltimpost,jakartanews", sort="oldest")) == [1, 3, 4]


def test_unknown_source_lists_the_known_ones(corpus: Archive) -> None:
    with pytest.raises(UsageError, match="--source: unknown source 'kaltim'; the archive has: "
                                         "jakartanews, kaltimpost, tribunkaltim"):
        corpus.search("banjir", source="kaltim")


def test_a_day_is_the_local_date_an_instant_is_exact(corpus: Archive) -> None:
    # Article 3 is 2022-12-31 23:30 WIB: still 31 December where it was published, but the
    # same instant as article 1 (2023-01-01 00:30 WITA).
    assert sorted(ids(corpus.search(since="2023-01-01"))) == [1, 2, 5]
    assert sorted(ids(corpus.search(since="2023-01-01T00:00:00+08:00"))) == [1, 2, 3, 5]
    assert sorted(ids(corpus.search(until="2022-12-31"))) == [3]
    assert ids(corpus.search(since="2023-06-15", until="2023-06-15")) == [2]
    assert ids(corpus.search(until="2022-12-31T16:29:59Z")) == []


def test_inverted_or_malformed_dates_are_usage_errors(corpus: Archive) -> None:
    with pytest.raises(UsageError, match="--since 2024-01-01 is after --until 2023-01-01"):
        corpus.search("banjir", since="2024-01-01", until="2023-01-01")
    with pytest.raises(UsageError, match=r"--until: '31/12/2023' is not a date"):
        corpus.search(until="31/12/2023")


def test_other_filters(corpus: Archive) -> None:
    assert sorted(ids(corpus.search(region="balikpapan"))) == [2, 5]
    assert ids(corpus.search(author="budi")) == [3]
    assert sorted(ids(corpus.search(section="KESEHATAN"))) == [1, 4]
    assert ids(corpus.search(language="en")) == [5]
    assert ids(corpus.search("stunting", author="andi")) == [2]
    assert corpus.search(author="100%_") == []  # LIKE wildcards are literal


def test_sorting_and_paging(corpus: Archive) -> None:
    assert ids(corpus.search("stunting", sort="newest")) == [2, 1, 4]  # undated last
    assert ids(corpus.search("stunting", sort="oldest")) == [1, 2, 4]
    assert ids(corpus.search()) == [5, 2, 3, 1, 4]  # no query: newest first
    assert ids(corpus.search(limit=2, offset=1)) == [2, 3]
    with pytest.raises(UsageError, match="--sort: 'best' is not one of rank, newest, oldest"):
        corpus.search("stunting", sort="best")
    with pytest.raises(UsageError, match="--limit: must be at least 1"):
        corpus.search("stunting", limit=0)


def test_no_query_snippet_is_the_start_of_the_body(corpus: Archive) -> None:
    (hit,) = corpus.search(source="jakartanews")
    assert hit["snippet"].startswith("JAKARTA - KPU menyiapkan")
    assert hit["rank"] is None


def test_iter_articles_streams_whole_articles_in_order(corpus: Archive) -> None:
    stream = corpus.iter_articles()
    assert isinstance(stream, types.GeneratorType)
    articles = list(stream)
    assert [a["id"] for a in articles] == [1, 3, 2, 5, 4]
    assert articles[0]["body"].startswith("SAMARINDA - Angka stunting")
    assert articles[0]["related"] == [] and articles[0]["versions"] == 0
    assert [a["id"] for a in corpus.iter_articles("stunting", sort="rank")] == [1, 4, 2]
    assert corpus.count_matching("stunting", source="tribunkaltim") == 1


def test_get_by_id_uid_or_url(corpus: Archive) -> None:
    article = corpus.get(2)
    assert article is not None
    assert corpus.get(str(article["id"]))["url"] == article["url"]
    assert corpus.get(article["uid"])["id"] == 2
    assert corpus.get(article["url"])["id"] == 2
    assert article["source_name"] == "Tribun Kaltim"
    assert corpus.get(99) is None
    assert corpus.get("https://nowhere.example/") is None


@pytest.fixture
def staged(archive: Archive, record) -> Archive:
    """Three articles whose body and date came from different extraction stages."""
    archive.write([
        record(1, provenance={"body": "generic", "published_at": "jsonld"}),
        record(2, provenance={"body": "profile", "published_at": "text"}),
        record(3, provenance={"body": "generic", "published_at": "url"}),
    ])
    return archive


def test_stage_filters_pick_articles_by_where_their_date_or_body_came_from(
        staged: Archive) -> None:
    assert ids(staged.search(date_stage="jsonld")) == [1]
    assert ids(staged.search(date_stage="text,url", sort="oldest")) == [2, 3]
    assert ids(staged.search(body_stage=["profile"])) == [2]
    assert ids(staged.search(body_stage="generic", date_stage="url")) == [3]
    assert [a["id"] for a in staged.iter_articles(date_stage="text")] == [2]


def test_unknown_stage_lists_the_stages_the_archive_has(staged: Archive) -> None:
    with pytest.raises(UsageError, match="--date-stage: unknown stage 'JSON-LD'; the archive "
                                         "has: jsonld, text, url"):
        staged.search(date_stage="JSON-LD")
    with pytest.raises(UsageError, match="--body-stage: unknown stage 'x'; the archive has: "
                                         "generic, profile"):
        staged.search(body_stage="x")


def test_date_precision_keeps_articles_whose_date_is_worth_that(corpus: Archive) -> None:
    # the corpus: 1, 2 and 3 show a time of day, 5 a relative date, 4 no date at all
    assert ids(corpus.search(precision="time", sort="oldest")) == [1, 3, 2]
    assert ids(corpus.search(precision=["relative", "day"])) == [5]
    with pytest.raises(UsageError, match="--date-precision: unknown precision 'hour'; use "
                                         "time, day, relative"):
        corpus.search(precision="hour")


def test_no_typed_text_is_an_fts5_syntax_error(corpus: Archive) -> None:
    """2,000 texts drawn from the pieces that make FTS5 fail: every one searches."""
    import random

    pieces = ["banjir", "stunting", "OR", "AND", "NOT", "NEAR", "(", ")", '"', "*", "title:",
              "body:", "foo:", ":", "-", "^", "+", "{", "}", "stunt*", "*x", "'", "or", "  "]
    rng = random.Random(15)
    for _ in range(2000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " "])
                       for _ in range(rng.randint(1, 8)))
        assert isinstance(corpus.search(text), list), text


def test_a_broad_query_is_ranked_over_its_newest_matches(
        archive: Archive, monkeypatch: pytest.MonkeyPatch, warta) -> None:
    from archive import query

    monkeypatch.setattr(query, "RANK_CANDIDATES", 3)
    archive.write([{"url": f"https://x.example/{n}", "source": "x",
                    "title": "Banjir banjir banjir" if n == 1 else f"Berita {n}",
                    "body": f"Hujan deras, banjir di kota {n}."} for n in range(1, 11)])
    bounded = archive.search("banjir", limit=2)
    assert bounded.bounded and set(ids(bounded)) <= {8, 9, 10}
    assert bounded.ranking.startswith("bm25 over the newest 3 matches")
    exact = archive.search("banjir", limit=2, rank="all")
    assert not exact.bounded and ids(exact)[0] == 1     # the best of all ten
    assert not archive.search("kota 1", limit=2).bounded  # a narrow query: every match
    status, out, _ = warta("search", "banjir", "--limit", "2", "--db", str(archive.path))
    assert status == 0
    assert out.splitlines()[-1] == ("Ranked by bm25 over the newest 3 matches (more match; "
                                    "--rank all ranks them all).")
    _, out, _ = warta("search", "banjir", "--rank", "all", "--format", "jsonl",
                      "--limit", "1", "--db", str(archive.path))
    assert json.loads(out)["id"] == 1


def test_date_filters_are_exact_when_ids_do_not_follow_publication(archive: Archive) -> None:
    days = ["2024-03-01", "2021-01-05", "2023-06-15", "2022-12-31", "2023-01-01", "2020-02-02"]
    archive.write([{"url": f"https://x.example/{n}", "source": "x", "title": f"Banjir {n}",
                    "body": "Banjir lagi.", "published_at": f"{day}T23:30:00+08:00"}
                   for n, day in enumerate(days, 1)])
    found = archive.search("banjir", since="2023-01-01", until="2023-12-31", limit=20)
    assert sorted(ids(found)) == [3, 5]
    assert archive.count_matching("banjir", since="2023-01-01", until="2023-12-31") == 2
    assert ids(archive.search("banjir", since="2030-01-01")) == []
    assert archive.count_matching("banjir", until="2022-12-31") == 3


def test_a_broad_query_by_date_reads_the_date_index_and_stays_exact(
        archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive import query

    monkeypatch.setattr(query, "RANK_CANDIDATES", 3)
    days = ["2024-03-01", "2021-01-05", None, "2023-06-15", "2022-12-31", "2023-01-01"]
    archive.write([{"url": f"https://x.example/{n}", "source": "x", "title": f"Banjir {n}",
                    "body": "Banjir lagi.",
                    "published_at": f"{day}T10:00:00+08:00" if day else None}
                   for n, day in enumerate(days, 1)])
    assert ids(archive.search("banjir", sort="newest", limit=3)) == [1, 4, 6]
    assert ids(archive.search("banjir", sort="oldest", limit=2, offset=1)) == [5, 6]
    assert ids(archive.search("banjir", sort="newest", limit=6)) == [1, 4, 6, 5, 2, 3]
    assert ids(archive.search("banjir", sort="oldest", limit=3, source="x",
                              since="2022-01-01")) == [5, 6, 4]


def test_a_page_spread_over_the_archive_gets_its_snippets_and_scores(
        corpus: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    """Snippets are read by the page's ids when they are far apart (a phrase ranked over the
    whole archive), by their range otherwise: the same page either way."""
    from archive import query

    by_range = corpus.search("stunting", highlight=("<", ">"))
    monkeypatch.setattr(query, "SNIPPET_RANGE_MAX", 0)
    by_ids = corpus.search("stunting", highlight=("<", ">"))
    assert ids(by_ids) == [1, 4, 2]
    assert [(r["snippet"], r["rank"]) for r in by_ids] == [
        (r["snippet"], r["rank"]) for r in by_range]
    assert "Angka <stunting> turun" in by_ids[0]["snippet"]


def test_a_date_filter_finds_an_article_whose_date_a_recrawl_moved(archive: Archive) -> None:
    """Date filters narrow the index to the ids of the period's months (article_months):
    an article re-read with another date is found in its new period, and no longer in its
    old one."""
    record = {"url": "https://x.example/1", "source": "x", "title": "Banjir",
              "body": "Air naik.", "published_at": "2021-03-01T10:00:00+08:00"}
    archive.write([record, {**record, "url": "https://x.example/2",
                            "published_at": "2023-05-01T10:00:00+08:00"}])
    assert ids(archive.search("banjir", since="2023-01-01")) == [2]
    archive.write([{**record, "body": "Air naik lagi.",
                    "published_at": "2024-02-01T10:00:00+08:00"}])
    assert sorted(ids(archive.search("banjir", since="2023-01-01"))) == [1, 2]
    assert ids(archive.search("banjir", until="2021-12-31")) == []
    assert archive.count_matching("banjir", since="2024-02-01", until="2024-02-29") == 1
