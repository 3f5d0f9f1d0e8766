"""Hostile input to the archive's commands (issue 10): control characters in archived text,
numbers past SQLite's integers, argv bytes that are not UTF-8, a damaged archive file and
huge search texts. Each ends in exact output or one `Error:` line, never a traceback or a raw
escape sequence on the user's terminal."""

from __future__ import annotations

import json
import random
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive import Archive, formatting
from archive.errors import EXIT_ARCHIVE_ERROR
from archive.query import MAX_QUERY_BYTES, MAX_QUERY_TERMS, escape_query
from tests.archive.conftest import make_record

#: A raw control character of any kind but newline and tab (which are layout).
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: What pages could carry: a window title (OSC 0), a clipboard write (OSC 52), a screen
#: clear (CSI 2J), a C1 CSI, a carriage return and a backspace.
TITLE_ATTACK = "Judul \x1b]0;owned\x07 \x1b[2J akhir"
BODY_ATTACK = "Isi \x1b]52;c;cm0gLXJmIH4=\x07 tengah\tkolom\nbaris \x9b31m \rtimpa\x08"


@pytest.fixture
def hostile(corpus: Archive, db_path: Path) -> str:
    """The corpus with control characters in an article's title, body, authors and an earlier
    version, an outlet's key and name, a crawl's sites and an outlet's health figures (put there
    with SQL, as whatever wrote the archive may have done), as a --db value."""
    corpus.write([make_record(1, title="Stunting di Samarinda turun", source="kaltimpost",
                              body="SAMARINDA - Angka stunting naik lagi.")])  # a version
    conn = corpus.connection
    conn.execute("UPDATE articles SET title = ?, body = ?, authors = ? WHERE id = 1",
                 (TITLE_ATTACK + " stunting", BODY_ATTACK + " stunting",
                  json.dumps(["Sri\x1b[8m"])))
    conn.execute("UPDATE article_versions SET body = ? WHERE article_id = 1",
                 (BODY_ATTACK + " lama",))
    conn.execute("UPDATE sources SET name = ?, region = ? WHERE key = 'kaltimpost'",
                 ("Kaltim\x1b]0;x\x07 Post", "Kaltim\x1b[2J"))
    for table, column in (("sources", "key"), ("articles", "source")):
        conn.execute(f"UPDATE {table} SET {column} = 'jakarta\x1b[2Jnews' "
                     f"WHERE {column} = 'jakartanews'")
    crawl = corpus.begin_crawl(["kaltim\x1b[2Jpost"])
    corpus.finish_crawl(crawl, finish_reason="finished\x1b]0;x\x07", counts={}, stats={},
                        sites=[{"source": "kaltimpost\x1b[2J", "found": 3, "articles": 3},
                               {"source": "sapos\x1b]0;x\x07", "found": 0}])
    return str(db_path)


@pytest.mark.parametrize("args", [
    ["search", "stunting"],
    ["search", "--source", "kaltimpost"],
    ["show", "1"],
    ["show", "1", "--versions"],
    ["diff", "1"],
    ["stats"],
    ["counts", "stunting"],
    ["crawls"],
    ["health"],  # a warning too: sapos found nothing
    ["search", "x", "--source", "nosuch"],  # the error lists the archive's keys
])
def test_no_raw_control_character_reaches_the_terminal(warta, hostile: str,
                                                       args: list[str]) -> None:
    status, out, err = warta(*args, "--db", hostile)
    assert status in (0, 2), err
    assert not RAW_CONTROL.findall(out + err)
    assert "\\x1b" in out + err  # shown, escaped, not dropped


def test_show_keeps_layout_and_escapes_the_rest(warta, hostile: str) -> None:
    status, out, _ = warta("show", "1", "--versions", "--db", hostile)
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "Judul \\x1b]0;owned\\x07 \\x1b[2J akhir stunting"
    body = "Isi \\x1b]52;c;cm0gLXJmIH4=\\x07 tengah\tkolom"
    assert lines.count(body) == 2  # the body and its earlier version: tab kept
    assert "baris \\x9b31m \\x0dtimpa\\x08 stunting" in lines  # newline kept as a line break
    assert "authors    Sri\\x1b[8m" in lines


def test_search_on_a_terminal_styles_only_its_own_matches(hostile: str) -> None:
    with Archive(hostile, readonly=True) as archive:
        results = archive.search("stunting", source="kaltimpost")
    lines = list(formatting.search_table(results, color=True))
    text = "\n".join(lines)
    own = "\x1b[1m", "\x1b[0m"  # click.style(bold=True) around each match
    for marker in own:
        text = text.replace(marker, "")
    assert not RAW_CONTROL.findall(text)
    assert "\x1b[1mstunting\x1b[0m" in lines[1]


def test_jsonl_and_csv_keep_the_exact_data(warta, hostile: str) -> None:
    _, out, _ = warta("search", "stunting", "--source", "kaltimpost", "--format", "jsonl",
                      "--db", hostile)
    first = json.loads(out.splitlines()[0])
    assert first["title"] == TITLE_ATTACK + " stunting"
    _, out, _ = warta("show", "1", "--format", "json", "--db", hostile)
    assert json.loads(out)["body"] == BODY_ATTACK + " stunting"


def test_terminal_safe() -> None:
    text = "a\x00b\x1bc\x7fd\x85e\x9bf\tg\nh\ri"
    assert formatting.terminal_safe(text) == "a\\x00b\\x1bc\\x7fd\\x85e\\x9bf\tg\nh\\x0di"
    assert formatting.terminal_safe(text, multiline=False) == \
        "a\\x00b\\x1bc\\x7fd\\x85e\\x9bf\\x09g\\x0ah\\x0di"
    assert formatting.terminal_safe({"k": ["\x1b", ("\x07",)], "n": 3}) == \
        {"k": ["\\x1b", ("\\x07",)], "n": 3}
    assert formatting.terminal_safe("Café «banjir» — ok") == "Café «banjir» — ok"


# --- numbers past SQLite's integers -----------------------------------------------------------

HUGE = str(10**30)


@pytest.mark.parametrize("args, error", [
    (["search", "--limit", HUGE], "Invalid value for '--limit'"),
    (["search", "banjir", "--offset", HUGE], "Invalid value for '--offset'"),
    (["crawls", "--limit", HUGE], "Invalid value for '--limit'"),
    (["health", "--runs", HUGE], "Invalid value for '--runs'"),
    (["diff", "2", "--edit", HUGE], "Invalid value for '--edit'"),
])
def test_huge_counts_are_refused(warta, hostile: str, args: list[str], error: str) -> None:
    status, out, err = warta(*args, "--db", hostile)
    assert (status, out) == (2, "")
    assert err == f"Error: {error}: {HUGE} is too large (at most 1,000,000,000,000) " \
                  f"(see 'warta {args[0]} --help')\n"


@pytest.mark.parametrize("command", ["show", "diff"])
def test_a_huge_id_is_no_article(warta, hostile: str, command: str) -> None:
    assert warta(command, HUGE, "--db", hostile) == (
        1, "", f"Error: no article '{HUGE}' in {hostile}; find ids with `warta search`\n")


# --- argv that is not UTF-8 -------------------------------------------------------------------

@pytest.mark.parametrize("args, name", [
    (["search", "banjir\udcff"], "'[QUERY]'"),
    (["search", "--source", "kaltim\udcffpost"], "'--source'"),
    (["search", "--author", "\udcff"], "'--author'"),
    (["show", "1\udcff"], "'ARTICLE'"),
    (["diff", "\udcff"], "'ARTICLE'"),
    (["counts", "banjir\udcff"], "'QUERY'"),
    (["export", "--out", "x.jsonl", "--query", "\udcff"], "'--query'"),
])
def test_text_that_is_not_utf8_is_refused(warta, hostile: str, args: list[str], name: str,
                                          tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # where export would write x.jsonl
    status, out, err = warta(*args, "--db", hostile)
    assert (status, out) == (2, "")
    assert err.startswith(f"Error: Invalid value for {name}: not UTF-8 text: byte b'\\xff' ")
    assert err.count("\n") == 1


def test_argv_bytes_that_are_not_utf8(hostile: str) -> None:
    done = subprocess.run([sys.executable, "-m", "archive.commands", "search", b"banjir\xff",
                           "--db", hostile], capture_output=True, timeout=60)
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr == (b"Error: Invalid value for '[QUERY]': not UTF-8 text: byte b'\\xff' "
                           b"at character 7; give the text in UTF-8 (see 'warta search "
                           b"--help')\n")


# --- a damaged archive ------------------------------------------------------------------------

def _damage(path: Path, keep: set[str]) -> None:
    """Write random bytes over every page of `path` but page 1 and those of the tables and
    indexes named in `keep`, as a disk or a copy gone wrong would."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    kept = {row[0] for row in conn.execute("SELECT pageno FROM dbstat WHERE name IN "
                                           f"({', '.join('?' * len(keep))})", sorted(keep))}
    count = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    noise = random.Random(10)
    with path.open("r+b") as handle:
        for page in range(2, count + 1):
            if page not in kept:
                handle.seek((page - 1) * size)
                handle.write(noise.randbytes(size))


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    """An archive of 300 articles and a recorded crawl whose article pages are overwritten
    (its schema, outlets and crawls intact, so it opens and `crawls` could read it)."""
    path = tmp_path / "damaged.db"
    with Archive(path) as archive:
        archive.set_source("kaltimpost", name="Kaltim Post")
        archive.write([make_record(n, body="banjir samarinda " * 200) for n in range(1, 301)])
        crawl = archive.begin_crawl(["kaltimpost"])
        archive.finish_crawl(crawl, finish_reason="finished", counts={}, stats={},
                             sites=[{"source": "kaltimpost", "found": 300, "articles": 300}])
    _damage(path, {"sqlite_schema", "migrations", "sources", "sqlite_autoindex_sources_1",
                   "crawls", "crawl_sites", "crawl_sites_source"})
    return path


@pytest.mark.parametrize("args", [
    ["search", "banjir"], ["search"], ["show", "1"], ["diff", "1"], ["stats"],
    ["export", "--out", "{tmp}/out.jsonl"], ["counts", "banjir"], ["crawls"], ["health"],
])
def test_a_damaged_archive_is_one_error_line(warta, damaged: Path, args: list[str]) -> None:
    args = [a.replace("{tmp}", str(damaged.parent)) for a in args]
    status, out, err = warta(*args, "--db", str(damaged))
    assert (status, out) == (EXIT_ARCHIVE_ERROR, "")
    assert err.startswith(f"Error: the archive {damaged} is damaged (")
    assert err.endswith(f"): check it with sqlite3 {damaged} 'PRAGMA integrity_check', then "
                        f"restore it from a backup (or save what can be read: sqlite3 "
                        f"{damaged} .recover | sqlite3 recovered.db)\n")
    assert err.count("\n") == 1
    assert not (damaged.parent / "out.jsonl").exists()


def test_an_archive_damaged_in_its_schema(warta, damaged: Path) -> None:
    _damage(damaged, set())  # now the schema's overflow pages too
    status, _, err = warta("search", "banjir", "--db", str(damaged))
    assert status == EXIT_ARCHIVE_ERROR == 74
    assert err.startswith(f"Error: the archive {damaged} is damaged (")


def test_a_damaged_archive_through_the_program(damaged: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "archive.commands", "crawls", "--db",
                           str(damaged)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (EXIT_ARCHIVE_ERROR, "")
    assert done.stderr.startswith(f"Error: the archive {damaged} is damaged (")
    assert "Traceback" not in done.stderr


# --- huge search texts ------------------------------------------------------------------------

def test_repeated_words_are_searched_once() -> None:
    assert escape_query("banjir Banjir  BANJIR banjir") == '"banjir"'
    assert escape_query('"ibu kota" banjir "Ibu  Kota" banjir') == '"ibu kota" AND "banjir"'


def statements_run(db: str, query: str) -> list[str]:
    """Every statement SQLite runs for a search of `query`, FTS5's own included: the work it
    does, counted without a clock."""
    with Archive(Path(db), readonly=True) as archive:
        run: list[str] = []
        archive.connection.set_trace_callback(run.append)
        archive.search(query, limit=100)
        return run


def test_a_long_repetitive_query_costs_what_one_word_costs_and_finds_the_same(
        warta, hostile: str) -> None:
    query = " ".join(["stunting"] * 400)  # 3.6 KB: under the byte cap
    assert warta("search", query, "--db", hostile) == warta("search", "stunting", "--db",
                                                            hostile)
    # fast on any machine: the very statements one word runs, no more (was: under 5 s)
    assert statements_run(hostile, query) == statements_run(hostile, "stunting")


@pytest.mark.parametrize("raw", [False, True])
def test_a_98_kb_query_is_refused(warta, hostile: str, raw: bool) -> None:
    query = " ".join(["banjir"] * 14_000)  # 98 KB
    status, out, err = warta("search", query, *(["--raw"] if raw else []), "--db", hostile)
    assert (status, out) == (2, "")
    assert err == (f"Error: the search text is {len(query):,} bytes long; warta searches at "
                   f"most {MAX_QUERY_BYTES:,} bytes: keep a few distinctive words\n")


@pytest.mark.parametrize("command", [["search"], ["counts"], ["export", "--out", "x.jsonl",
                                                              "--query"]])
def test_too_many_words_are_refused(warta, hostile: str, command: list[str], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # where export would write x.jsonl
    query = " ".join(f"kata{n}" for n in range(MAX_QUERY_TERMS + 1))
    status, out, err = warta(*command, query, "--db", hostile)
    assert not (tmp_path / "x.jsonl").exists()
    assert (status, out) == (2, "")
    assert err == (f"Error: the search text has {MAX_QUERY_TERMS + 1} different words; warta "
                   f"searches at most {MAX_QUERY_TERMS} at once: keep a few distinctive words "
                   "(every one must match, so more words rarely find better articles)\n")


def test_as_many_words_as_allowed_are_searched(warta, hostile: str) -> None:
    query = " ".join(f"kata{n}" for n in range(MAX_QUERY_TERMS)) + " kata0 KATA1"
    status, out, err = warta("search", query, "--db", hostile)
    assert (status, err) == (0, "")
    assert out.startswith(f"No articles match {' '.join(query.split()[:MAX_QUERY_TERMS])}.\n")
