"""Sign-offs as printed (issue 13): `signoff` (`*/han`), `signoff_raw` (`(*/han)`) and
`signoff_codes` (`["han"]`) in records, the migration from schema 5, and exports."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from archive import Archive, signoff_codes
from archive.export import export
from archive.schema import MIGRATIONS, SCHEMA_VERSION, migrate, printed_signoff
from tests.archive.conftest import make_record


@pytest.mark.parametrize(("signoff", "codes"), [
    ("*/han", ["han"]),
    ("adv/rz", ["rz"]),
    ("Adv", []),
    ("ADVERTORIAL", []),
    ("*", []),
    ("ant/kpl", ["ant", "kpl"]),
    ("*/dp/rdh/k8", ["dp", "rdh", "k8"]),
    ("rus/ky/diskominfo kaltim", ["rus", "ky"]),
    ("ADV/Diskominfo Kukar", []),
    ("yans/sul/ky/humasprov kaltim", ["yans", "sul", "ky"]),
    ("rls/humas pemkot", []),
    ("adv/diskominfo", []),  # one word, but an office's name, not initials
    ("rus/ky/humasprov", ["rus", "ky"]),
    ("han", ["han"]),  # as archived before the printed form was kept
    ("", []),
    (None, []),
])
def test_the_codes_are_the_editors_initials(signoff: str | None, codes: list[str]) -> None:
    assert signoff_codes(signoff) == codes


@pytest.mark.parametrize(("raw", "printed"), [
    ("(*/han)", "*/han"), ("( adv / rz ).", "adv/rz"), ("(Adv).", "Adv"), ("[rw/hs]", "rw/hs"),
])
def test_the_printed_code_is_read_from_the_raw_signoff(raw: str, printed: str) -> None:
    assert printed_signoff(raw) == printed


def test_the_three_fields_are_stored_and_read_back(archive: Archive) -> None:
    record = make_record(1, signoff="*/han", signoff_raw="(*/han)", signoff_codes=["han"])
    archive.write([record])
    got = archive.get(record["url"])
    assert got is not None
    assert (got["signoff"], got["signoff_raw"], got["signoff_codes"]) == \
        ("*/han", "(*/han)", ["han"])
    assert got["extra"] is None  # signoff_raw is a column now, not an unknown key


def test_a_record_with_only_a_signoff_gets_its_codes(archive: Archive) -> None:
    archive.write([make_record(1, signoff="adv/rz"), make_record(2)])
    rows = archive.connection.execute(
        "SELECT signoff, signoff_raw, signoff_codes FROM articles ORDER BY id").fetchall()
    assert rows == [("adv/rz", None, '["rz"]'), (None, None, "[]")]


# --- migration from schema 5 ----------------------------------------------------------------

def test_an_archive_of_schema_5_gets_the_printed_signoff_where_it_can(db_path: Path) -> None:
    assert SCHEMA_VERSION >= 6
    conn = sqlite3.connect(db_path, isolation_level=None)
    for migration in MIGRATIONS[:5]:  # the archive as warta wrote it before this migration
        conn.execute("BEGIN")
        migration.apply(conn)
        conn.execute(f"PRAGMA user_version = {migration.version}")
        conn.execute("COMMIT")
    conn.execute("INSERT INTO sources (key, added_at) VALUES ('kaltimpost', 'x')")
    rows = [
        # crawled: the crawler's signoff_raw went to `extra`, an unknown key then
        (1, "han", {"signoff_raw": "(*/han)", "dateline_raw": "SAMARINDA -"}),
        (2, "Adv", {"signoff_raw": "(Adv)"}),
        (3, "adv/rz", {"signoff_raw": "(adv/rz)"}),
        # a library caller's row: no raw, so no way to know it had a `*/`
        (4, "yan", None),
        (5, None, None),
        # a raw that does not agree with the stored code is not trusted for it
        (6, "rw/hs", {"signoff_raw": "(*/han)"}),
    ]
    for n, signoff, extra in rows:
        conn.execute(
            "INSERT INTO articles (uid, url, source, content_hash, first_seen_at, last_seen_at, "
            "changed_at, title, body, word_count, signoff, extra) VALUES (?, ?, 'kaltimpost', "
            "'h', 'x', 'x', 'x', 'Judul', 'Isi.', 1, ?, ?)",
            (f"{n:016x}", f"https://k.example/{n}", signoff,
             json.dumps(extra, sort_keys=True) if extra else None))
    conn.close()

    with Archive(db_path) as archive:
        assert archive.schema_version == SCHEMA_VERSION
        got = archive.connection.execute(
            "SELECT signoff, signoff_raw, signoff_codes, extra FROM articles ORDER BY id"
        ).fetchall()
    assert got == [
        ("*/han", "(*/han)", '["han"]', '{"dateline_raw": "SAMARINDA -"}'),
        ("Adv", "(Adv)", "[]", None),
        ("adv/rz", "(adv/rz)", '["rz"]', None),
        ("yan", None, '["yan"]', None),
        (None, None, "[]", None),
        ("rw/hs", "(*/han)", '["rw", "hs"]', None),
    ]
    conn = sqlite3.connect(db_path, isolation_level=None)
    assert migrate(conn) == []  # applied once
    conn.close()


# --- exports --------------------------------------------------------------------------------

@pytest.fixture
def signed(archive: Archive) -> Archive:
    archive.write([make_record(1, signoff="*/han", signoff_raw="(*/han)", signoff_codes=["han"]),
                   make_record(2, signoff="Adv", signoff_raw="(Adv).", signoff_codes=[])])
    return archive


def test_every_format_carries_the_signoff_columns(signed: Archive, tmp_path: Path) -> None:
    manifest = export(signed, tmp_path / "d.jsonl")
    rows = [json.loads(line) for line in (tmp_path / "d.jsonl").read_text().splitlines()]
    assert [(r["signoff"], r["signoff_raw"], r["signoff_codes"]) for r in rows] == \
        [("*/han", "(*/han)", ["han"]), ("Adv", "(Adv).", [])]
    fields = {f["name"]: f["type"] for f in manifest["fields"]}
    assert fields["signoff_codes"] == fields["tags"]
    export(signed, tmp_path / "d.csv")
    with (tmp_path / "d.csv").open(newline="", encoding="utf-8") as handle:
        cells = [(r["signoff"], r["signoff_raw"], r["signoff_codes"])
                 for r in csv.DictReader(handle)]
    assert cells == [("*/han", "(*/han)", '["han"]'), ("Adv", "(Adv).", "[]")]
    export(signed, tmp_path / "d.parquet")
    table = pq.read_table(tmp_path / "d.parquet")
    assert table.column("signoff_codes").to_pylist() == [["han"], []]
    assert table.schema.field("signoff_codes").type == table.schema.field("tags").type
    assert table.column("signoff_raw").to_pylist() == ["(*/han)", "(Adv)."]
