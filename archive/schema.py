"""The archive's schema, created and evolved by numbered migrations.

A warta archive is a SQLite file marked with `PRAGMA application_id = APPLICATION_ID`; its
`PRAGMA user_version` is the number of the last migration applied, and the `migrations` table
records when each ran and with which warta. Opening a file applies the missing migrations, each
in its own transaction that re-reads the version first, so two processes opening the same old
archive at once, or a run killed half way, are both safe. An archive whose version is above
`SCHEMA_VERSION` was made by a newer warta and is refused, never touched.

To change the schema: append a `Migration` (never edit a released one); write it so that it is
safe to run twice (`IF NOT EXISTS`, check a column before adding it).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from archive.instants import now_utc
from archive.records import signoff_codes
from archive.version import __version__

#: Marks a SQLite file as a warta archive: the bytes "wart" read as a big-endian integer.
APPLICATION_ID = 0x77617274

#: bm25 weights of the FTS columns (title, body). A query word in the headline says more about
#: what an article is about than the same word once in a 3 KB body; 5 makes a title match
#: outrank bodies that mention the word a few times, while a body that is about the word (many
#: mentions) can still come first. Chosen on the synthetic bench corpus and the demo sites.
TITLE_WEIGHT = 5.0
BODY_WEIGHT = 1.0

#: Segments of the full-text index merged at a time (FTS5's `automerge`; its default is 4).
#: Every write adds a segment, and each merge rewrites what it merges: with 8, a posting is
#: rewritten about log8 rather than log4 times as the index grows (a third fewer), which took
#: bulk ingest from 0.397 to 0.351 ms of CPU an article at 300,000 (bench/ingest.py). A
#: query looks a word up in a few more segments until `warta maintain` merges them into one
#: (bench/search.py's p95, archives not maintained: 33.7 ms against 30.5 at 300,000 articles
#: written by `Archive.write`; 85 ms at 1,000,000). 16 ingested faster still (0.77 of the
#: floor's rate against 0.66) but took that p95 to 39 ms and 125 ms, over issue 19's 100.
FTS_AUTOMERGE = 8

#: The FTS tokenizer: Unicode word splitting, case and diacritics folded (`café` = `cafe`),
#: no stemmer (an English stemmer mangles Indonesian affixes).
TOKENIZER = "unicode61 remove_diacritics 2"


def _v1(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for statement in statements(_V1_SQL.replace("{TOKENIZER}", TOKENIZER)):
        conn.execute(statement)
    conn.execute(
        "INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', ?)",
        (f"bm25({TITLE_WEIGHT}, {BODY_WEIGHT})",),
    )


_V1_SQL = """
CREATE TABLE IF NOT EXISTS sources (
    key TEXT PRIMARY KEY,           -- outlet key, e.g. kaltimpost (the profile's file name)
    name TEXT,
    homepage TEXT,
    timezone TEXT,                  -- IANA zone, e.g. Asia/Makassar (WITA)
    region TEXT,                    -- province, regency/city
    added_at TEXT NOT NULL,
    updated_at TEXT
);

CREATE TABLE IF NOT EXISTS crawls (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    finish_reason TEXT,
    sites TEXT NOT NULL DEFAULT '[]',    -- JSON list of source keys
    args TEXT NOT NULL DEFAULT '{}',     -- JSON: the options the crawl ran with
    new INTEGER,
    updated INTEGER,
    unchanged INTEGER,
    counts TEXT,                         -- JSON: every count the crawler reported
    stats TEXT,                          -- JSON: Scrapy's stats at the end of the run
    warta_version TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,            -- sha256(url)[:16], identical across archives
    url TEXT NOT NULL UNIQUE,            -- canonical URL
    source TEXT NOT NULL REFERENCES sources(key),
    published_at TEXT,                   -- ISO 8601 with the offset as published
    published_utc TEXT,                  -- the same instant in UTC (ordering, instant filters)
    published_date TEXT,                 -- the local date as printed (day filters, months)
    published_raw TEXT,                  -- the date text as shown on the page
    modified_at TEXT,
    dateline TEXT,
    authors TEXT NOT NULL DEFAULT '[]',  -- JSON list
    editor TEXT,
    reporter TEXT,
    signoff TEXT,
    section TEXT,
    tags TEXT NOT NULL DEFAULT '[]',     -- JSON list
    language TEXT,
    fetched_at TEXT,
    fetched_url TEXT,
    http_status INTEGER,
    word_count INTEGER,
    content_hash TEXT NOT NULL,          -- sha256 of title and body
    body_stage TEXT,                     -- extraction stage that gave the body
    date_stage TEXT,                     -- extraction stage that gave published_at
    provenance TEXT NOT NULL DEFAULT '{}',  -- JSON: field -> stage
    extra TEXT,                          -- JSON: record keys warta does not know
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    changed_at TEXT NOT NULL,            -- when title/body were last stored
    crawl_id INTEGER REFERENCES crawls(id), -- the crawl that last changed the row
    -- The long text last: SQLite reads a row's columns in order through its overflow pages,
    -- so filters on the short columns above never read the 3 KB body.
    title TEXT NOT NULL,
    body TEXT NOT NULL                   -- paragraphs separated by a blank line
);
-- Few indexes: each random-order index costs about 8% of the ingest rate (bench/ingest.py).
-- articles_source_date serves listings, exports and per-outlet monthly counts from the
-- index alone; articles_utc, newest-first listings. (articles_filter: migration 2.)
CREATE INDEX IF NOT EXISTS articles_source_date ON articles(source, published_date);
CREATE INDEX IF NOT EXISTS articles_utc ON articles(published_utc);

CREATE TABLE IF NOT EXISTS article_versions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    published_at TEXT,
    modified_at TEXT,
    fetched_at TEXT,
    stored_at TEXT NOT NULL,             -- when this content was first stored
    replaced_at TEXT NOT NULL,           -- when a re-crawl found different content
    crawl_id INTEGER REFERENCES crawls(id)
);
CREATE INDEX IF NOT EXISTS article_versions_article ON article_versions(article_id);

CREATE TABLE IF NOT EXISTS links (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,            -- canonical URL of a related headline's target
    first_title TEXT,
    last_title TEXT,
    times_seen INTEGER NOT NULL DEFAULT 0,  -- article pages found showing it
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS article_links (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    ord INTEGER NOT NULL,                -- order on the page (0-based, over all blocks)
    link_id INTEGER NOT NULL REFERENCES links(id),
    title TEXT,                          -- anchor text on this page
    block TEXT,                          -- block label, e.g. "top", "baca-juga"
    position INTEGER,                    -- position as the crawler numbered it
    PRIMARY KEY (article_id, ord)
) WITHOUT ROWID;
-- No index on link_id: "which articles showed this link" is a rare research query that a
-- scan answers in a fraction of a second, while the index cost 15% of the ingest rate.

CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, body, content='articles', content_rowid='id', tokenize='{TOKENIZER}'
);
CREATE TRIGGER IF NOT EXISTS articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER IF NOT EXISTS articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
END;
-- Only a change of the indexed text touches the index: last_seen_at moves on every re-crawl.
CREATE TRIGGER IF NOT EXISTS articles_fts_update AFTER UPDATE OF title, body ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
"""


def _v2(conn: sqlite3.Connection) -> None:
    # Keyed by id, it lets a full-text search check a match's outlet and date without reading
    # its 3 KB row (archive/query.py, Filters.join): filtered searches for a common word went
    # from ~100 ms to ~20 ms on 100k articles. Ids only grow, so it is appended to, almost
    # free to keep up.
    conn.execute("CREATE INDEX IF NOT EXISTS articles_filter "
                 "ON articles(id, source, published_date, published_utc)")


def _v3(conn: sqlite3.Connection) -> None:
    for statement in statements(_V3_SQL):
        conn.execute(statement)


_V3_SQL = """
-- What each crawl did per outlet: the figures `warta health` compares run by run. A crawl of
-- an unchanged outlet reads few pages (archived articles are skipped), so `found` and
-- `skipped` say how much the outlet still showed, and the shares are over `articles` read.
CREATE TABLE IF NOT EXISTS crawl_sites (
    crawl_id INTEGER NOT NULL REFERENCES crawls(id),
    source TEXT NOT NULL,
    pages INTEGER NOT NULL DEFAULT 0,       -- responses received
    found INTEGER NOT NULL DEFAULT 0,       -- article URLs discovery asked for
    skipped INTEGER NOT NULL DEFAULT 0,     -- of those, archived and not fetched again
    articles INTEGER NOT NULL DEFAULT 0,    -- article pages read into an item
    with_date INTEGER NOT NULL DEFAULT 0,   -- of those, with a publication date
    with_body INTEGER NOT NULL DEFAULT 0,   -- with a body
    with_author INTEGER NOT NULL DEFAULT 0, -- with at least one author
    new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    dropped INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (crawl_id, source)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS crawl_sites_source ON crawl_sites(source, crawl_id);
"""


def _v4(conn: sqlite3.Connection) -> None:
    # What published_at is worth: 'time' (the page gave a time of day), 'day' (only the date:
    # the instant is a midnight placeholder), 'relative' (from `2 jam lalu` and the fetch
    # time); NULL when not known, as for every row archived before this migration. ADD COLUMN
    # only rewrites the schema, so it is instant on any archive, but the column lands after
    # the body: reading it in a scan walks each long row's overflow pages (bench/stats.py at
    # 100k articles, 40% of bodies over a page: the stats scan 250 ms, 340 ms with the column
    # in it). `warta stats` counts the articles with a time of day in this partial index
    # instead (254 ms in all). Its keys are appended per outlet: writing 20k articles ran at
    # 2,380 articles/s with it and 2,070-2,500 without (noise); building it on an old archive
    # (all NULL) took 0.13 s at 100k articles.
    columns = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
    if "published_precision" not in columns:
        conn.execute("ALTER TABLE articles ADD COLUMN published_precision TEXT "
                     "CHECK (published_precision IN ('time', 'day', 'relative'))")
    conn.execute("CREATE INDEX IF NOT EXISTS articles_timed ON articles(source) "
                 "WHERE published_precision = 'time'")


def _v5(conn: sqlite3.Connection) -> None:
    # How whole an article's body is (issue 12): 'ok'; 'short' (the crawler found fewer words
    # than its bound, `crawler.pipelines.SHORT_BODY_WORDS`); 'missing' (a page with a title
    # and a date whose body no extraction stage read: body ''). Rows archived before were
    # validated with a body, so they are 'ok' (a library caller's empty body, 'missing').
    # Like published_precision the column lands after the body, so nothing reads it in a
    # scan of short columns: counts per outlet (stats, health) and the incremental crawl's
    # "read it again" come from the partial index, which holds only the few incomplete rows.
    columns = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
    if "body_status" not in columns:
        conn.execute("ALTER TABLE articles ADD COLUMN body_status TEXT NOT NULL DEFAULT 'ok' "
                     "CHECK (body_status IN ('ok', 'short', 'missing'))")
        conn.execute("UPDATE articles SET body_status = 'missing' "
                     "WHERE word_count = 0 AND trim(body) = ''")
    conn.execute("CREATE INDEX IF NOT EXISTS articles_incomplete "
                 "ON articles(source, body_status) WHERE body_status <> 'ok'")
    # what each crawl archived per outlet with a short or missing body (warta health)
    sites = {row[1] for row in conn.execute("PRAGMA table_info(crawl_sites)")}
    for name in ("body_short", "body_missing"):
        if name not in sites:
            conn.execute(f"ALTER TABLE crawl_sites ADD COLUMN {name} INTEGER NOT NULL DEFAULT 0")


def _v6(conn: sqlite3.Connection) -> None:
    # Sign-offs as printed (issue 13): `signoff` keeps the code as printed (`*/han`, `adv/rz`,
    # `Adv`: the `*/` and `adv` marks are what a researcher filters on), `signoff_raw` the
    # sign-off as shown (`(*/han)`), `signoff_codes` the editors' codes (JSON list, `["han"]`).
    # Rows archived before kept the code without its `*/`; the crawler's `signoff_raw` went to
    # `extra` (an unknown key then). Where `extra` has it and it agrees with the stored code,
    # the printed form comes back from it and it moves to its column; otherwise (a library
    # caller's row, `han` with no raw) `signoff` stays as stored: it cannot know it had a
    # `*/`. `signoff_codes` is computed from whatever `signoff` then holds.
    columns = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
    if "signoff_raw" not in columns:
        conn.execute("ALTER TABLE articles ADD COLUMN signoff_raw TEXT")
    if "signoff_codes" not in columns:
        conn.execute("ALTER TABLE articles ADD COLUMN signoff_codes TEXT NOT NULL DEFAULT '[]'")
    rows = conn.execute(
        "SELECT id, signoff, signoff_raw, extra FROM articles "
        "WHERE signoff IS NOT NULL OR (extra IS NOT NULL AND extra LIKE '%\"signoff_raw\"%')"
    ).fetchall()
    updates = []
    for article_id, signoff, raw, extra_text in rows:
        extra = _json_object(extra_text)
        if raw is None and isinstance(extra.get("signoff_raw"), str):
            raw = extra.pop("signoff_raw")
            extra_text = json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None
        printed = printed_signoff(raw) if raw else None
        if printed and signoff and re.sub(r"^\*/", "", printed) == signoff:
            signoff = printed
        codes = json.dumps(signoff_codes(signoff), ensure_ascii=False)
        updates.append((signoff, raw, codes, extra_text, article_id))
    conn.executemany("UPDATE articles SET signoff = ?, signoff_raw = ?, signoff_codes = ?, "
                     "extra = ? WHERE id = ?", updates)


def _v7(conn: sqlite3.Connection) -> None:
    # Scheduled re-checks and conditional requests (issue 14): per article, the validators the
    # outlet last sent (`ETag`, `Last-Modified`, as sent) and when the article is next due for
    # a scheduled re-check (`next_check_at`, UTC; NULL: no scheduled check left, only a
    # sitemap or feed date brings it back). A table of its own, not columns of `articles`:
    # columns added now land after the body, and the crawl reads these for every archived
    # article of an outlet (reading them there walks each long row's overflow pages). Rows
    # archived before have no row here: the crawler computes their schedule from their
    # publication date, as if they had been read when last seen.
    conn.execute("""
        CREATE TABLE IF NOT EXISTS article_checks (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id),
            etag TEXT,              -- the ETag the outlet last sent, as sent (quotes, W/)
            last_modified TEXT,     -- the Last-Modified it last sent, as sent (HTTP date)
            next_check_at TEXT,     -- UTC ISO 8601: next scheduled re-check; NULL: none left
            checked_at TEXT NOT NULL  -- when warta last read the page (200 or 304)
        )""")
    conn.execute("CREATE INDEX IF NOT EXISTS article_checks_due ON article_checks(next_check_at) "
                 "WHERE next_check_at IS NOT NULL")


def _json_object(text: str | None) -> dict[str, object]:
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def printed_signoff(raw: str) -> str:
    """The code of a sign-off as shown, without its brackets (`(*/han)` -> `*/han`,
    `( adv / rz ).` -> `adv/rz`), spaced as the crawler stores it."""
    code = raw.strip().rstrip(".").strip().strip("()[]")
    return " ".join(re.sub(r"\s*/\s*", "/", code).split())


def _v8(conn: sqlite3.Connection) -> None:
    # Full-text search the SQLite tools find (issue 15). sqlite-utils (`Table.detect_fts`,
    # `sqlite-utils search`) and Datasette (`?_search=`, the search box) look for a virtual
    # table whose SQL says `content="articles"` (or `content=[articles]`); migration 1 wrote
    # `content='articles'`, which neither recognises. FTS5 reads both quotings alike and keeps
    # nothing of the declaration in its own tables, so the declaration's text is rewritten by
    # SQLite's documented procedure for schema changes that leave the stored content as it is
    # (https://www.sqlite.org/lang_altertable.html#otheralter: writable_schema, then a new
    # schema_version), in this transaction: instant at any size, where declaring the index
    # again and rebuilding it took 22 s at 20,000 articles. A SQLite built to refuse
    # writable_schema (SQLITE_DBCONFIG_DEFENSIVE) gets the rebuild instead.
    # Then the stemmed index (archive/stems.py): every word of the exact index, pending.
    from archive.stems import WORD_FORMS_SQL, Stemmer, fill_from_index

    row = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()
    if row is not None and 'content="articles"' not in row[0]:
        declared = row[0].replace("content='articles'", 'content="articles"')
        try:
            _redeclare(conn, "articles_fts", declared)
        except sqlite3.DatabaseError:
            row = None
    if row is None:
        for name in ("articles_fts_insert", "articles_fts_delete", "articles_fts_update"):
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        conn.execute("DROP TABLE IF EXISTS articles_fts")
        for statement in statements(_V8_FTS_SQL.replace("{TOKENIZER}", TOKENIZER)):
            conn.execute(statement)
        conn.execute(
            "INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', ?)",
            (f"bm25({TITLE_WEIGHT}, {BODY_WEIGHT})",),
        )
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
    for statement in statements(WORD_FORMS_SQL):
        conn.execute(statement)
    fill_from_index(conn, Stemmer())


def _redeclare(conn: sqlite3.Connection, name: str, sql: str) -> None:
    """Replace the declaration of table `name` by `sql`, which must describe the same stored
    content, inside the caller's transaction (SQLite's "other changes" procedure)."""
    version = int(conn.execute("PRAGMA schema_version").fetchone()[0])
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                     (sql, name))
        conn.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")
    found = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    if found is None or found[0] != sql:
        raise sqlite3.DatabaseError(f"the declaration of {name} could not be rewritten")


_V8_FTS_SQL = """
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, content="articles", content_rowid="id", tokenize="{TOKENIZER}"
);
CREATE TRIGGER IF NOT EXISTS articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER IF NOT EXISTS articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER IF NOT EXISTS articles_fts_update AFTER UPDATE OF title, body ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
"""


def _v9(conn: sqlite3.Connection) -> None:
    # WARC captures (issue 16): the page each article version was read from, as a record in
    # a WARC file of the archive's capture folder (`archive.captures.capture_dir`: `kaltim.db`
    # -> `kaltim.warc/`). One row per article page read: by a crawl (`provenance` 'crawl') or
    # by `warta reextract` from the same record. `warc_offset` and `warc_length` are those of
    # the gzip member of the response record that holds the payload: for a fetch whose
    # payload was already captured (same `payload_digest`), the crawl writes a small
    # `revisit` record and the row points at the earlier response (`revisit` = 1). The
    # version an article row or an `article_versions` row holds is the capture with the same
    # `article_id` and `content_hash`. A new table: nothing older changes.
    conn.execute("""
        CREATE TABLE IF NOT EXISTS captures (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            content_hash TEXT NOT NULL,     -- the article version read from it
            part INTEGER NOT NULL DEFAULT 0, -- page of a multi-page article (0: the first)
            url TEXT NOT NULL,              -- the URL fetched (WARC-Target-URI)
            warc_file TEXT NOT NULL,        -- relative to the capture folder
            warc_offset INTEGER NOT NULL,   -- of the response record (gzip member)
            warc_length INTEGER NOT NULL,   -- its bytes in the file
            payload_digest TEXT NOT NULL,   -- WARC-Payload-Digest, sha1:BASE32
            revisit INTEGER NOT NULL DEFAULT 0,  -- 1: this fetch wrote a revisit record
            captured_at TEXT NOT NULL,      -- WARC-Date of the fetch
            extractor TEXT,                 -- the extractor version that read it
            provenance TEXT NOT NULL DEFAULT 'crawl',  -- crawl or reextract
            crawl_id INTEGER REFERENCES crawls(id)
        )""")
    conn.execute("CREATE INDEX IF NOT EXISTS captures_article ON captures(article_id, id)")
    conn.execute("CREATE INDEX IF NOT EXISTS captures_url ON captures(url, id)")
def _v10(conn: sqlite3.Connection) -> None:
    # Near-duplicate clusters across outlets and the region an article is about (issue 17):
    # see archive/clusters.py and archive/regions.py. Only empty tables here: the clusters
    # are computed after a crawl's writes (`Archive.update_clusters`), never in a migration.
    for statement in statements(_V11_SQL):
        conn.execute(statement)


_V11_SQL = """
-- One row per cluster of two or more articles: the representative is the article every
-- member was compared with (no chaining), the original the earliest publication.
CREATE TABLE IF NOT EXISTS clusters (
    id INTEGER PRIMARY KEY,
    representative_id INTEGER NOT NULL REFERENCES articles(id),
    original_id INTEGER NOT NULL REFERENCES articles(id),
    members INTEGER NOT NULL DEFAULT 0,
    outlets INTEGER NOT NULL DEFAULT 0,
    first_published_utc TEXT,
    last_published_utc TEXT,
    press_release INTEGER NOT NULL DEFAULT 0,   -- 1: a likely press release
    press_reason TEXT,                          -- why: outlets, signoff, wording
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS article_clusters (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    cluster_id INTEGER NOT NULL REFERENCES clusters(id),
    similarity REAL NOT NULL,       -- Jaccard of body shingles with the representative
    containment REAL NOT NULL,      -- shared shingles over the smaller body's
    is_original INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS article_clusters_cluster ON article_clusters(cluster_id);
-- Each article's sketch (LSH band keys of its MinHash), so that a new article is compared
-- without recomputing the archive; content_hash says which text it was made from.
CREATE TABLE IF NOT EXISTS cluster_sketches (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    content_hash TEXT NOT NULL,
    shingles INTEGER NOT NULL,      -- shingles counted after boilerplate; too few: no bands
    release INTEGER NOT NULL DEFAULT 0,  -- a */ or adv sign-off, or press-release wording
    bands BLOB                      -- little-endian uint64 band keys, NULL when too short
);
-- Shingles that recur in many articles of one outlet (footers, standing lines): not counted.
CREATE TABLE IF NOT EXISTS cluster_boilerplate (
    source TEXT NOT NULL,
    shingle INTEGER NOT NULL,
    PRIMARY KEY (source, shingle)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cluster_outlets (
    source TEXT PRIMARY KEY,
    articles_at INTEGER NOT NULL    -- the outlet's article count when its boilerplate was read
);
CREATE TABLE IF NOT EXISTS cluster_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- The regency or city (else province) an article is about, and the stage that said so.
CREATE TABLE IF NOT EXISTS article_regions (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    region TEXT,                    -- regency or city, e.g. Kutai Kartanegara
    province TEXT,                  -- e.g. Kalimantan Timur
    stage TEXT                      -- dateline, title or body
);
CREATE INDEX IF NOT EXISTS article_regions_region ON article_regions(region);
"""


def _v_article_months(conn: sqlite3.Connection) -> None:
    # The ids of each month's articles (issue 19): the first and last id of the articles
    # published in a month (UTC). A date-filtered search narrows the full-text index to the
    # ids of its period from these few rows (archive/query.py, `fts_range`), whatever the
    # period's length: reading the period's ids from the date index cost 2.5 ms for 20,000
    # articles, so a year of a large archive was not narrowed at all and its search walked
    # every newer match. Kept by triggers, so rows another program writes count too; a range
    # only ever widens (an article deleted or moved to another month leaves its old month's
    # range as it was), so it is always a superset of the month's ids: tight when ids follow
    # publication order, as they do for a crawl, wider for a backfill, never wrong.
    for statement in statements(_ARTICLE_MONTHS_SQL):
        conn.execute(statement)
    conn.execute("INSERT OR REPLACE INTO article_months (month, first_id, last_id) "
                 "SELECT substr(published_utc, 1, 7), min(id), max(id) FROM articles "
                 "WHERE published_utc IS NOT NULL GROUP BY 1")


_MONTH_UPSERT = """
    INSERT INTO article_months (month, first_id, last_id)
    VALUES (substr(new.published_utc, 1, 7), new.id, new.id)
    ON CONFLICT (month) DO UPDATE SET first_id = min(first_id, excluded.first_id),
                                      last_id = max(last_id, excluded.last_id);"""

_ARTICLE_MONTHS_SQL = f"""
CREATE TABLE IF NOT EXISTS article_months (
    month TEXT PRIMARY KEY,         -- YYYY-MM of published_utc
    first_id INTEGER NOT NULL,      -- the lowest id of an article published in it
    last_id INTEGER NOT NULL        -- the highest
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS article_months_insert AFTER INSERT ON articles
WHEN new.published_utc IS NOT NULL BEGIN{_MONTH_UPSERT}
END;
CREATE TRIGGER IF NOT EXISTS article_months_update AFTER UPDATE OF published_utc ON articles
WHEN new.published_utc IS NOT NULL BEGIN{_MONTH_UPSERT}
END;
"""


def _v_term_docs(conn: sqlite3.Connection) -> None:
    # The articles holding each common word (issue 19): the document frequencies bm25 needs,
    # counted by `warta maintain`, so that ranking a broad query's newest matches does not
    # walk every posting of its words (archive/search_rank.py). Empty until then: search
    # ranks with FTS5's own bm25 as before.
    for statement in statements(TERM_DOCS_SQL):
        conn.execute(statement)


TERM_DOCS_SQL = """
CREATE TABLE IF NOT EXISTS term_docs (
    term TEXT PRIMARY KEY,          -- a word as the full-text index holds it; '' for the total
    docs INTEGER NOT NULL           -- articles holding it when `warta maintain` last counted
                                    -- (for '': the articles then)
) WITHOUT ROWID;
"""


def _v_fts_automerge(conn: sqlite3.Connection) -> None:
    # FTS5 keeps the setting in the index's own config table (articles_fts_config), so every
    # program writing the archive merges alike; `warta maintain` still merges all into one.
    conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', ?)",
                 (FTS_AUTOMERGE,))


_V5_STATUS_CHECK = "CHECK (body_status IN ('ok', 'short', 'missing'))"
_INCOMPLETE_STATUS_CHECK = "CHECK (body_status IN ('ok', 'short', 'missing', 'incomplete'))"


def _v_body_incomplete(conn: sqlite3.Connection) -> None:
    # 'incomplete' bodies (issue 13): a multi-page article archived with a part that could not
    # be read (its provenance `parts` says `incomplete: 2 of 3 parts; missing URL (why)`) is
    # marked where a researcher filters, `body_status`, not only in its provenance; counted
    # per crawl and outlet in crawl_sites.body_incomplete (warta stats, warta health).
    #
    # The CHECK of migration 5 allows three values. SQLite cannot alter a constraint, and
    # rebuilding `articles` (its full-text index, triggers and every index with it) would
    # rewrite the whole archive; widening a CHECK changes nothing stored, which is the case
    # SQLite documents for editing the table's declaration in place
    # (https://www.sqlite.org/lang_altertable.html#otheralter: writable_schema, the schema
    # version bumped, in the migration's transaction; the table checked after).
    (declared,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'articles'").fetchone()
    if _INCOMPLETE_STATUS_CHECK not in declared:
        if declared.count(_V5_STATUS_CHECK) != 1:
            raise sqlite3.DatabaseError("the articles table does not declare body_status as "
                                        "migration 5 did; it cannot take 'incomplete'")
        widened = declared.replace(_V5_STATUS_CHECK, _INCOMPLETE_STATUS_CHECK)
        version = int(conn.execute("PRAGMA schema_version").fetchone()[0])
        conn.execute("PRAGMA writable_schema = ON")
        try:
            conn.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND "
                         "name = 'articles'", (widened,))
            conn.execute(f"PRAGMA schema_version = {version + 1}")
        finally:
            conn.execute("PRAGMA writable_schema = OFF")
        problems = [row[0] for row in conn.execute("PRAGMA quick_check(articles)")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError(f"after widening body_status: {problems[0]}")
    # Rows archived before: their provenance said so (an empty body stays 'missing').
    conn.execute("UPDATE articles SET body_status = 'incomplete' "
                 "WHERE body_status IN ('ok', 'short') AND provenance LIKE '%incomplete: %' "
                 "AND json_extract(provenance, '$.parts') LIKE 'incomplete: %'")
    sites = {row[1] for row in conn.execute("PRAGMA table_info(crawl_sites)")}
    if "body_incomplete" not in sites:
        conn.execute("ALTER TABLE crawl_sites ADD COLUMN body_incomplete INTEGER NOT NULL "
                     "DEFAULT 0")


def _v_sketch_trigger(conn: sqlite3.Connection) -> None:
    # An article whose text changes (a new version, `warta reextract`, a merge; any writer)
    # loses its cluster sketch and its region tag, so the next `update_clusters` finds it
    # among the articles without a sketch, a look-up in id order, instead of comparing the
    # content hash of every article (a read of the whole articles table: 0.6 s of CPU at
    # 100,000 articles, and growing with the archive). Sketches already stale go now.
    for statement in statements(_SKETCH_TRIGGER_SQL):
        conn.execute(statement)
    conn.execute("DELETE FROM cluster_sketches WHERE NOT EXISTS (SELECT 1 FROM articles a "
                 "WHERE a.id = article_id AND a.content_hash = cluster_sketches.content_hash)")


_SKETCH_TRIGGER_SQL = """
CREATE TRIGGER IF NOT EXISTS articles_text_changed
AFTER UPDATE OF title, body, content_hash, dateline ON articles
WHEN OLD.content_hash IS NOT NEW.content_hash OR OLD.dateline IS NOT NEW.dateline
BEGIN
    DELETE FROM article_regions WHERE article_id = NEW.id;
    DELETE FROM cluster_sketches WHERE article_id = NEW.id
        AND content_hash IS NOT NEW.content_hash;
END;
"""


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "sources, crawls, articles, versions, links, article_links, articles_fts", _v1),
    Migration(2, "articles_filter index for filtered full-text search", _v2),
    Migration(3, "crawl_sites: per-outlet figures of every crawl (warta health)", _v3),
    Migration(4, "articles.published_precision: time, day or relative", _v4),
    Migration(5, "articles.body_status: ok, short or missing; crawl_sites.body_short|missing",
              _v5),
    Migration(6, "articles.signoff as printed (*/han), signoff_raw, signoff_codes", _v6),
    Migration(7, "article_checks: ETag, Last-Modified and next scheduled re-check", _v7),
    Migration(8, "articles_fts declared as sqlite-utils and Datasette detect it; word_forms: "
              "the stemmed index", _v8),
    Migration(9, "captures: the WARC record each article version was read from", _v9),
    Migration(10, "clusters, article_clusters, cluster sketches, article_regions", _v10),
    Migration(11, "article_months: the first and last id of each month's articles "
              "(date-filtered search)", _v_article_months),
    Migration(12, "articles.body_status 'incomplete' (a multi-page article with a part "
              "missing); crawl_sites.body_incomplete", _v_body_incomplete),
    Migration(13, "a changed article's cluster sketch and region tag dropped by a trigger",
              _v_sketch_trigger),
    Migration(14, "term_docs: the articles holding each common word, counted by warta "
              "maintain (bm25 over a broad query's newest matches)", _v_term_docs),
    Migration(15, f"articles_fts merges {FTS_AUTOMERGE} segments at a time (automerge)",
              _v_fts_automerge),
)

#: The schema this warta writes and reads.
SCHEMA_VERSION = MIGRATIONS[-1].version

_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS migrations (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    warta_version TEXT NOT NULL
)"""


def statements(script: str) -> list[str]:
    """Split a script into statements, triggers kept whole. (`executescript` would commit the
    open transaction first, so a migration could be half applied.)"""
    out: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    if pending.strip():
        out.append(pending.strip())
    return [s for s in out if s and not all(
        part.strip().startswith("--") or not part.strip() for part in s.splitlines())]


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> list[int]:
    """Apply the missing migrations; return the versions applied. `conn` must be in
    autocommit mode (isolation_level None)."""
    applied: list[int] = []
    for migration in MIGRATIONS:
        if user_version(conn) >= migration.version:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            if user_version(conn) < migration.version:
                conn.execute(_MIGRATIONS_TABLE)
                migration.apply(conn)
                conn.execute(
                    "INSERT OR REPLACE INTO migrations VALUES (?, ?, ?, ?)",
                    (migration.version, migration.description, now_utc(), __version__),
                )
                conn.execute(f"PRAGMA user_version = {migration.version}")
                applied.append(migration.version)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return applied
