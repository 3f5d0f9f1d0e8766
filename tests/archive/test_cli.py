"""The `warta` commands search, show, stats and export: exact output and exit statuses, and
one `Error:` line (never a traceback) for every mistake a user can make."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from archive import Archive, WartaError
from archive.commands import run
from archive.schema import SCHEMA_VERSION
from archive.version import __version__


@pytest.fixture
def db(corpus: Archive, db_path: Path) -> str:
    """The corpus archive with fixed first/last-seen times, as a --db value."""
    corpus.connection.execute("UPDATE articles SET first_seen_at = '2024-01-01T00:00:00+00:00', "
                              "last_seen_at = '2024-02-01T00:00:00+00:00'")
    return str(db_path)


def test_search_table(warta, db: str) -> None:
    assert warta("search", "stunting", "--db", db) == (0, (
        "1  2023-01-01  kaltimpost    Stunting di Samarinda turun\n"
        "   SAMARINDA - Angka «stunting» turun berkat sanitasi yang lebih baik.\n"
        "4  (undated)   kaltimpost    Sanitasi dan air bersih\n"
        "   Program sanitasi air bersih di desa. «Stunting» «stunting» «stunting».\n"
        "2  2023-06-15  tribunkaltim  Banjir melanda Balikpapan\n"
        "   BALIKPAPAN - Banjir setinggi lutut. Warga menyebut «stunting» bukan prioritas saat "
        "banjir.\n"), "")


def test_search_paging_hint_and_no_results(warta, db: str) -> None:
    status, out, _ = warta("search", "stunting", "--limit", "2", "--db", db)
    assert (status, out.splitlines()[-1]) == (0, "(more: --offset 2)")
    assert warta("search", "tsunami", "--db", db) == (
        0, "No articles match tsunami.\nTry a prefix (tsun*).\n", "")


def test_no_results_say_what_was_searched_and_what_to_try(warta, db: str) -> None:
    assert warta("search", "kebanjiranx", "banjir", "--exact", "--source", "kaltimpost",
                 "--db", db) == (
        0, "No articles match kebanjiranx banjir (filters: --exact; --source kaltimpost).\n"
           "Try fewer words, or OR between them (kebanjiranx OR banjir); a prefix "
           "(kebanjir*); without --exact (word forms: banjir finds kebanjiran); fewer "
           "filters.\n", "")
    _status, out, _ = warta("search", "banjir", "NOT", "--db", db)
    assert out == ('No articles match banjir "NOT".\nTry a word on each side of OR, AND and '
                   "NOT (alone, one is searched as a word); a prefix (ban*).\n")


def test_unquoted_words_are_one_query(warta, db: str) -> None:
    assert warta("search", "stunting", "OR", "banjir", "--format", "jsonl", "--db", db)[1] \
        == warta("search", "stunting OR banjir", "--format", "jsonl", "--db", db)[1]
    _status, out, _ = warta("search", "stunting", "OR", "banjir", "--format", "jsonl",
                           "--db", db)
    assert sorted(json.loads(line)["id"] for line in out.splitlines()) == [1, 2, 4]


def test_search_jsonl_and_csv(warta, db: str) -> None:
    status, out, _ = warta("search", "banjir", "--format", "jsonl", "--db", db)
    (hit,) = [json.loads(line) for line in out.splitlines()]
    assert (status, hit["id"], hit["authors"], hit["source"]) == \
        (0, 2, ["Andi Harun", "Dewi Lestari"], "tribunkaltim")
    status, out, _ = warta("search", "banjir", "--format", "csv", "--db", db)
    lines = out.splitlines()
    assert lines[0] == "id,uid,url,source,title,published_at,authors,section,language," \
                       "word_count,snippet,rank"
    assert lines[1].startswith('2,') and '"[""Andi Harun"", ""Dewi Lestari""]"' in lines[1]


def test_search_filters_on_the_command_line(warta, db: str) -> None:
    status, out, _ = warta("search", "--source", "kaltimpost,jakartanews", "--since",
                           "2022-12-31", "--until", "2023-01-01", "--sort", "oldest",
                           "--format", "jsonl", "--db", db)
    assert status == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == [1, 3]


def test_search_by_extraction_stage_on_the_command_line(warta, db: str,
                                                       corpus: Archive) -> None:
    corpus.connection.execute("UPDATE articles SET date_stage = CASE WHEN id IN (2, 5) "
                              "THEN 'jsonld' ELSE 'text' END")
    status, out, _ = warta("search", "--date-stage", "jsonld", "--sort", "oldest", "--format",
                           "jsonl", "--db", db)
    assert (status, [json.loads(line)["id"] for line in out.splitlines()]) == (0, [2, 5])
    assert warta("search", "--date-stage", "ld", "--db", db) == (
        2, "", "Error: --date-stage: unknown stage 'ld'; the archive has: jsonld, text\n")


def test_show_prints_the_article_whole(warta, db: str, corpus: Archive,
                                       corpus_records: list[dict]) -> None:
    corpus.write([dict(corpus_records[1], related=[
        {"url": "https://kaltimpost.example/berita/1", "title": "Stunting turun", "block": "top"},
        {"url": "https://other.example/a", "title": "Lain", "block": "baca-juga"}])])
    assert warta("show", "2", "--db", db) == (0, (
        "Banjir melanda Balikpapan\n"
        "id 2 · uid d3eb14c492d3d953 · tribunkaltim (Tribun Kaltim, Kalimantan Timur, Balikpapan)\n"
        "\n"
        "url        https://tribunkaltim.example/berita/2\n"
        "published  2023-06-15T08:00:00+08:00\n"
        "authors    Andi Harun, Dewi Lestari\n"
        "section    Daerah\n"
        "language   id\n"
        "words      12\n"
        "seen       first 2024-01-01T00:00:00+00:00, last " +
        corpus.get(2)["last_seen_at"] + "\n"
        "\n"
        "BALIKPAPAN - Banjir setinggi lutut. Warga menyebut stunting bukan prioritas saat "
        "banjir.\n"
        "\n"
        "Related headlines (2, 1 archived)\n"
        "1. [top] Stunting turun\n"
        "   https://kaltimpost.example/berita/1  (archived: id 1)\n"
        "2. [baca-juga] Lain\n"
        "   https://other.example/a\n"), "")


def test_show_versions_and_json(warta, db: str, corpus: Archive,
                                corpus_records: list[dict]) -> None:
    corpus.write([dict(corpus_records[2], body="Isi yang diralat.")])
    status, out, _ = warta("show", "https://jakartanews.example/berita/3", "--versions",
                           "--db", db)
    assert "Earlier versions (1, oldest first)" in out
    assert "JAKARTA - KPU menyiapkan tahapan kampanye." in out.split("Earlier versions")[1]
    status, out, _ = warta("show", corpus.get(3)["uid"], "--format", "json", "--db", db)
    assert status == 0
    shown = json.loads(out)
    assert (shown["id"], shown["body"], len(shown["versions"])) == (3, "Isi yang diralat.", 1)


def test_show_unknown_article(warta, db: str) -> None:
    assert warta("show", "99", "--db", db) == (
        1, "", f"Error: no article '99' in {db}; find ids with `warta search`\n")


def test_stats_table(warta, db: str) -> None:
    assert warta("stats", "--db", db) == (0, (
        "SOURCE        ARTICLES  FIRST       LAST         DATED    TIME  AUTHOR  DATELINE  REGION\n"
        "jakartanews          1  2022-12-31  2022-12-31  100.0%  100.0%  100.0%      0.0%  "
        "DKI Jakarta\n"
        "kaltimpost           2  2023-01-01  2023-01-01   50.0%   50.0%   50.0%     50.0%  "
        "Kalimantan Timur, Samarinda\n"
        "tribunkaltim         2  2023-06-15  2024-02-10  100.0%   50.0%  100.0%      0.0%  "
        "Kalimantan Timur, Balikpapan\n"
        "total                5  2022-12-31  2024-02-10   80.0%   60.0%   80.0%     20.0%\n"
        "TIME: the page gave a time of day, not only the day or a relative date.\n"
        "Earlier versions kept: 0. Related-link URLs: 0.\n"
        "\n"
        "Articles per month (local publication date)\n"
        "MONTH    jakartanews  kaltimpost  tribunkaltim  TOTAL\n"
        "2022-12            1           0             0      1\n"
        "2023-01            0           1             0      1\n"
        "2023-06            0           0             1      1\n"
        "2024-02            0           0             1      1\n"
        "\n"
        "No crawls recorded yet.\n"), "")


def test_stats_for_machines(warta, db: str, corpus: Archive) -> None:
    crawl = corpus.begin_crawl(["kaltimpost"])
    corpus.finish_crawl(crawl, finish_reason="finished", counts={"new": 0}, stats={})
    status, out, _ = warta("stats", "--format", "jsonl", "--db", db)
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["kind"] for r in records] == ["source"] * 3 + ["total"] + ["month"] * 8 + ["crawl"]
    assert records[3]["articles"] == 5 and records[3]["share_date"] == 0.8
    status, out, _ = warta("stats", "--format", "csv", "--db", db)
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "kind,source,month,articles,first_published,last_published,share_date," \
                       "share_author,share_dateline,share_time,body_missing,body_short," \
                       "body_incomplete"
    assert lines[4] == "total,,,5,2022-12-31,2024-02-10,0.8,0.8,0.2,0.6,0,0,0"
    assert len(lines) == 1 + 3 + 1 + 8


def test_export_writes_file_and_manifest(warta, db: str, tmp_path: Path) -> None:
    out = tmp_path / "kaltim.jsonl"
    status, stdout, stderr = warta("export", "--out", str(out), "--source", "kaltimpost",
                                   "--query", "sanitasi", "--db", db)
    manifest = json.loads((tmp_path / "kaltim.jsonl.manifest.json").read_text())
    assert (status, stderr) == (0, "")  # no progress bar when stderr is not a terminal
    assert stdout == (f"Exported 2 articles to {out} (jsonl, sha256 {manifest['sha256'][:12]}…); "
                      f"manifest: {out}.manifest.json\n")
    assert len(out.read_text().splitlines()) == 2


@pytest.mark.parametrize("command", [["search", "x"], ["show", "1"], ["stats"],
                                     ["export", "--out", "x.jsonl"]])
def test_read_commands_never_create_an_archive(warta, tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "none.db"
    assert warta(*command, "--db", str(path)) == (
        1, "", f"Error: no archive at {path}: make one with `warta crawl` or `warta demo`, "
               "or point --db at an existing archive\n")
    assert list(tmp_path.iterdir()) == []


def test_db_comes_from_warta_db_then_the_default(warta, db: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARTA_DB", db)
    assert warta("search", "banjir", "--format", "jsonl")[0] == 0
    monkeypatch.delenv("WARTA_DB")
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    monkeypatch.chdir(empty)
    assert warta("stats")[2] == ("Error: no archive at warta.db: make one with `warta crawl` or "
                                 "`warta demo`, or point --db at an existing archive\n")


@pytest.mark.parametrize(("args", "status", "error"), [
    (["search", "x", "--since", "2023-13-01"], 2,
     "Invalid value for '--since': '2023-13-01' is not a date (month must be in 1..12); use "
     "YYYY-MM-DD or an ISO 8601 time with its offset, e.g. 2023-05-23T10:15:00+08:00 "
     "(see 'warta search --help')"),
    (["search", "x", "--until", "2023-05-01T10:00"], 2,
     "Invalid value for '--until': '2023-05-01T10:00' is not a date (it has no UTC offset; add "
     "one, e.g. +08:00 for WITA); use YYYY-MM-DD or an ISO 8601 time with its offset, e.g. "
     "2023-05-23T10:15:00+08:00 (see 'warta search --help')"),
    (["search", "x", "--source", "nope"], 2,
     "--source: unknown source 'nope'; the archive has: jakartanews, kaltimpost, tribunkaltim"),
    (["search", "stunting AND", "--raw"], 2,
     "--raw: the FTS5 query 'stunting AND' is not valid (syntax error near \"\"); balance "
     "quotes and parentheses, write operators in capitals (AND, OR, NOT, NEAR), quote words "
     "that hold punctuation, name only the columns title, body; or drop --raw to search the "
     "words as written"),
    (["search", "x", "--since", "2024-01-01", "--until", "2023-01-01"], 2,
     "--since 2024-01-01 is after --until 2023-01-01; swap them or widen the range"),
    (["search", "--limit", "0"], 2,
     "Invalid value for '--limit': 0 is not in the range x>=1. (see 'warta search --help')"),
    (["search", "--nope"], 2,
     "No such option '--nope'. Did you mean '--since'? (see 'warta search --help')"),
    (["show"], 2, "Missing argument 'ARTICLE'. (see 'warta show --help')"),
    (["export", "--out", "a.parquet.gz"], 2,
     "--out: Parquet compresses itself; drop the .gz from the file name"),
    (["nosuchcommand"], 2, "No such command 'nosuchcommand'. (see 'warta --help')"),
])
def test_bad_input_is_one_line(warta, db: str, args: list[str], status: int, error: str) -> None:
    assert warta(*args, "--db", db) == (status, "", f"Error: {error}\n")


@pytest.mark.parametrize("text", ['"', "(", "*", "-", ":", "NOT", 'a"b(c)*', "東京", "🙂"])
def test_any_search_text_runs(warta, db: str, text: str) -> None:
    status, out, err = warta("search", text, "--db", db)
    assert (status, err) == (0, "")
    assert out.startswith("No articles match") or "«" in out


def test_file_that_is_not_an_archive(warta, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    assert warta("stats", "--db", str(path)) == (
        1, "", f"Error: {path} is not a SQLite database, so not a warta archive; is --db the "
               "right file?\n")


def test_version_and_help(warta) -> None:
    assert warta("--version") == (0, f"warta {__version__}\n", "")
    for command in ("search", "show", "stats", "export"):
        status, out, _ = warta(command, "--help")
        assert status == 0 and "Example:" in out and "--db PATH" in out and "WARTA_DB" in out


def test_run_turns_interrupts_and_errors_into_one_line(capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    group = click.Group("warta")

    @group.command()
    def stop() -> None:
        raise KeyboardInterrupt

    @group.command()
    def fail() -> None:
        raise WartaError("the archive is on fire; call the fire brigade")

    assert run(group, ["stop"]) == 130
    assert capsys.readouterr().err.strip() == "Error: interrupted"
    assert run(group, ["fail"]) == 1
    assert capsys.readouterr().err == "Error: the archive is on fire; call the fire brigade\n"


def test_closed_pipe_is_quiet(db: str, corpus: Archive, record) -> None:
    corpus.write([record(n, body="banjir " * 50) for n in range(100, 400)])
    child = subprocess.Popen([sys.executable, "-m", "archive.commands", "search", "banjir",
                              "--limit", "300", "--format", "jsonl", "--db", db],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.readline()
    child.stdout.close()  # as `| head -1` does
    assert child.wait(timeout=30) == 1  # click's own quiet exit on a closed pipe
    assert child.stderr.read() == b""


def test_read_command_upgrades_an_older_archive(warta, db: str, corpus: Archive) -> None:
    corpus.connection.execute("DROP INDEX articles_filter")  # as a version-1 archive was
    corpus.connection.execute("PRAGMA user_version = 1")
    status, out, err = warta("search", "banjir", "--source", "tribunkaltim", "--format", "jsonl",
                             "--db", db)
    assert (status, err) == (0, f"Upgraded {db} to archive schema {SCHEMA_VERSION}.\n")
    assert [json.loads(line)["id"] for line in out.splitlines()] == [2]


@pytest.mark.parametrize("variant", [
    "https://tribunkaltim.example/berita/2?utm_source=fb&utm_medium=social",
    "https://tribunkaltim.example/berita/2/",
    "https://tribunkaltim.example/berita/2/amp/",
    "https://m.tribunkaltim.example/berita/2?fbclid=abc#comments",
    "HTTPS://TRIBUNKALTIM.EXAMPLE:443/berita/2",
])
def test_show_finds_the_article_from_a_variant_of_its_url(warta, db: str, variant: str) -> None:
    status, out, err = warta("show", variant, "--format", "json", "--db", db)
    assert (status, err) == (0, "")
    assert json.loads(out)["url"] == "https://tribunkaltim.example/berita/2"


def test_show_of_another_article_url_is_still_not_found(warta, db: str) -> None:
    status, _out, err = warta("show", "https://tribunkaltim.example/berita/22?utm_source=fb",
                              "--db", db)
    assert status == 1 and err.startswith("Error: no article ")
