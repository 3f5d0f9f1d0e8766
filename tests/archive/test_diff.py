"""`warta diff`: what an edit changed, word by word, readable piped and on a terminal."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from archive import Archive
from archive.commands import cli, run
from archive.diff import article_edits, compare, edit_lines, render_ops, word_diff
from tests.archive.conftest import make_record

BODY = ("SAMARINDA - Banjir merendam tiga kelurahan sejak Senin pagi.\n\n"
        "Warga diminta waspada hingga akhir pekan.\n\n"
        "Posko bantuan dibuka di kantor kecamatan.")


def test_a_replaced_word_is_removed_then_added() -> None:
    assert word_diff("Warga diminta waspada hingga akhir pekan.",
                     "Warga diminta tetap waspada hingga Minggu.") == [
        ("=", "Warga diminta"), ("+", "tetap"), ("=", "waspada hingga"),
        ("-", "akhir pekan."), ("+", "Minggu.")]


def test_paragraphs_changed_added_and_removed_are_told_apart() -> None:
    new_body = ("SAMARINDA - Banjir merendam empat kelurahan sejak Senin pagi.\n\n"
                "Posko bantuan dibuka di kantor kecamatan.\n\n"
                "Pembaruan: air mulai surut Selasa sore.")
    title, changes, unchanged = compare("Banjir di Samarinda", BODY, "Banjir di Samarinda",
                                         new_body)
    assert title is None
    assert [(c.kind, c.number) for c in changes] == [("changed", 1), ("removed", 2),
                                                     ("added", 3)]
    assert changes[0].ops == [("=", "SAMARINDA - Banjir merendam"), ("-", "tiga"),
                              ("+", "empat"), ("=", "kelurahan sejak Senin pagi.")]
    assert unchanged == 1


def test_plain_output_marks_words_and_a_terminal_colours_them() -> None:
    ops = word_diff("tiga kelurahan", "empat kelurahan")
    assert render_ops(ops, color=False) == "[-tiga-] {+empat+} kelurahan"
    coloured = render_ops(ops, color=True)
    assert "[-" not in coloured and "{+" not in coloured
    assert click.unstyle(coloured) == "tiga empat kelurahan"
    assert coloured != click.unstyle(coloured)


@pytest.fixture
def edited(tmp_path: Path) -> tuple[Path, int]:
    """An article written three times: a body edit, then a title edit."""
    path = tmp_path / "warta.db"
    with Archive(path) as archive:
        archive.write([make_record(1, title="Banjir di Samarinda", body=BODY)])
        archive.write([make_record(1, title="Banjir di Samarinda",
                                   body=BODY + "\n\nPembaruan: air mulai surut.")])
        archive.write([make_record(1, title="Banjir Rendam Empat Kelurahan di Samarinda",
                                   body=BODY + "\n\nPembaruan: air mulai surut.")])
        article = archive.get(1)
    assert article is not None
    return path, article["id"]


def test_each_edit_compares_one_version_with_the_next(edited: tuple[Path, int]) -> None:
    path, article_id = edited
    with Archive(path) as archive:
        article = archive.get(article_id)
    assert article is not None
    first, second = article_edits(article)
    assert (first.old_label, first.new_label, first.counts) == (
        "v1", "v2", {"changed": 0, "added": 1, "removed": 0})
    assert (second.old_label, second.new_label, second.changes) == ("v2", "current", [])
    assert list(edit_lines(second))[1] == (
        "title: Banjir {+Rendam Empat Kelurahan+} di Samarinda")


def test_warta_diff_prints_the_last_edit(edited: tuple[Path, int],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = edited
    assert run(cli, ["diff", "1", "--db", str(path), "--edit", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["Banjir Rendam Empat Kelurahan di Samarinda",
                         "id 1 · kaltimpost · https://kaltimpost.example/berita/1 · 2 edit(s)"]
    assert lines[3].startswith("edit 1: v1 -> v2 (")
    assert lines[4:] == ["¶4 (added)  {+Pembaruan: air mulai surut.+}",
                         "paragraphs: 1 added; 3 unchanged"]


def test_warta_diff_all_and_errors(edited: tuple[Path, int],
                                   capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = edited
    assert run(cli, ["diff", "1", "--all", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "edit 1: v1 -> v2" in out and "edit 2: v2 -> current" in out
    assert run(cli, ["diff", "1", "--edit", "3", "--db", str(path)]) == 2
    assert capsys.readouterr().err == "Error: article 1 has 2 edit(s); give --edit 1 to 2\n"
    assert run(cli, ["diff", "7", "--db", str(path)]) == 1
    assert capsys.readouterr().err == (f"Error: no article '7' in {path}; find ids with "
                                       "`warta search`\n")


def test_an_article_never_edited_says_so(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "warta.db"
    with Archive(path) as archive:
        archive.write([make_record(1)])
        seen = archive.get(1)["first_seen_at"]  # type: ignore[index]
    assert run(cli, ["diff", "1", "--db", str(path)]) == 0
    assert capsys.readouterr().out == (
        f"Article 1 has not changed since it was first archived ({seen}).\n")
