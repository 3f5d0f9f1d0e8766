"""Where `warta export --out` may write (issue 10): never over the archive or its SQLite
files, never through a link or into a FIFO or a device, an existing file only with --force,
`-` as standard output, a format that matches the name, and nothing half-written when the
disk refuses."""

from __future__ import annotations

import json
import os
import random
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import Archive
from tests.archive.conftest import make_record


@pytest.fixture
def db(corpus: Archive, db_path: Path) -> str:
    return str(db_path)


def _is_archive(path: Path) -> bool:
    with Archive(path, readonly=True) as archive:
        return archive.count() == 5


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_the_archive_itself_is_refused(warta, db: str, force: list[str]) -> None:
    assert warta("export", "--out", db, "--format", "jsonl", *force, "--db", db) == (
        2, "", f"Error: --out: {db} is the archive being exported (--db); give another file "
               "name\n")
    assert _is_archive(Path(db))


def test_the_archive_under_another_name_is_refused(warta, db: str, tmp_path: Path) -> None:
    (tmp_path / "same.jsonl").hardlink_to(db)
    status, _, err = warta("export", "--out", str(tmp_path / "same.jsonl"), "--force",
                           "--db", db)
    assert (status, err) == (2, f"Error: --out: {tmp_path / 'same.jsonl'} is the archive being "
                                "exported (--db); give another file name\n")
    assert _is_archive(Path(db))


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_the_archive_sqlite_files_are_refused(warta, db: str, suffix: str) -> None:
    status, _, err = warta("export", "--out", db + suffix, "--format", "csv", "--force",
                           "--db", db)
    assert (status, err) == (2, f"Error: --out: {db}{suffix} is a file SQLite keeps beside the "
                                f"archive {db}; give another file name\n")
    assert _is_archive(Path(db))


def test_a_symbolic_link_is_refused_even_with_force(warta, db: str, tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    link = tmp_path / "out.jsonl"
    link.symlink_to(target)
    assert warta("export", "--out", str(link), "--force", "--db", db) == (
        2, "", f"Error: --out: {link} is a symbolic link; warta does not write through links: "
               f"give the path it points to ({target}) or another name\n")
    assert link.is_symlink() and target.read_text() == "keep me\n"


def test_a_fifo_is_refused(warta, db: str, tmp_path: Path) -> None:
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    assert warta("export", "--out", str(fifo), "--force", "--db", db) == (
        2, "", f"Error: --out: {fifo} is a FIFO (named pipe); warta writes only regular files: "
               "give a file name (or - for standard output)\n")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_device_is_refused(warta, db: str, tmp_path: Path) -> None:
    device = tmp_path / "full.jsonl"  # a /dev/full of our own (never the machine's)
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("making a device node needs root")
    assert warta("export", "--out", str(device), "--force", "--db", db) == (
        2, "", f"Error: --out: {device} is a device; warta writes only regular files: give a "
               "file name (or - for standard output)\n")
    assert stat.S_ISCHR(device.lstat().st_mode)


def test_an_existing_file_needs_force(warta, db: str, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("earlier\n")
    assert warta("export", "--out", str(out), "--db", db) == (
        2, "", f"Error: --out: {out} already exists; give --force to replace it, or another "
               "file name\n")
    assert out.read_text() == "earlier\n"
    assert not (tmp_path / "out.jsonl.manifest.json").exists()
    status, _, _ = warta("export", "--out", str(out), "--force", "--db", db)
    assert status == 0
    assert len(out.read_text().splitlines()) == 5


def test_a_new_file_gets_the_usual_mode(warta, db: str, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        assert warta("export", "--out", str(tmp_path / "a.csv"), "--db", db)[0] == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.csv").stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_dash_is_standard_output(warta, db: str, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = warta("export", "--out", "-", "--source", "kaltimpost", "--db", db)
    assert status == 0
    assert [json.loads(line)["source"] for line in out.splitlines()] == ["kaltimpost"] * 2
    assert err.startswith("Exported 2 articles to standard output (jsonl, sha256 ")
    status, out, _ = warta("export", "--out", "-", "--format", "csv", "--urls-only",
                           "--db", db)
    assert (status, out.splitlines()[0]) == (
        0, "uid,url,source,published_at,published_precision,title")
    assert not (tmp_path / "-").exists()
    assert not [p.name for p in tmp_path.iterdir() if not p.name.startswith("warta.db")]


@pytest.mark.parametrize("option, error", [
    ("--card", "--card writes a file beside the data; give a file name, not -"),
    ("--partition", "--partition writes a folder of files; give a folder name, not -"),
])
def test_dash_takes_no_files_beside(warta, db: str, option: str, error: str) -> None:
    assert warta("export", "--out", "-", option, "--db", db) == (2, "", f"Error: {error}\n")


def test_a_format_the_name_contradicts_is_refused(warta, db: str, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    assert warta("export", "--out", str(out), "--format", "parquet", "--db", db) == (
        2, "", "Error: --format parquet does not match the file name x.jsonl (jsonl); drop "
               "--format to write jsonl, or name the file .parquet\n")
    assert not out.exists()
    assert warta("export", "--out", str(out), "--format", "jsonl", "--db", db)[0] == 0
    assert warta("export", "--out", str(tmp_path / "x.txt"), "--format", "csv",
                 "--db", db)[0] == 0
    assert (tmp_path / "x.txt").read_text().startswith("uid,url,source,")


def test_help_says_how_the_format_is_chosen(warta) -> None:
    _, out, _ = warta("export", "--help")
    text = " ".join(out.split())
    assert "or - for standard output" in text
    assert "Format (default: from the file name's suffix; JSON lines for -). A format the " \
           "suffix contradicts is refused." in text
    assert "--force Replace FILE if it exists." in text


def test_a_folder_that_is_a_file(warta, db: str, tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("")
    out = tmp_path / "plain" / "x.jsonl"
    assert warta("export", "--out", str(out), "--db", db) == (
        1, "", f"Error: --out: cannot use {out}: Not a directory\n")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs (root only), unmounted afterwards."""
    folder = tmp_path / "small"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                          capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def big(tmp_path: Path) -> str:
    """An archive of 200 long articles of random words (about 1 MB of text that does not
    compress to less than the small disk)."""
    path = tmp_path / "big.db"
    words = random.Random(10)
    with Archive(path) as archive:
        archive.write([make_record(n, body=" ".join(words.randbytes(4).hex()
                                                    for _ in range(600))) for n in range(200)])
    return str(path)


@pytest.mark.parametrize("name", ["a.jsonl", "a.csv.gz", "a.parquet", "parts"])
def test_a_full_disk_is_one_line_and_leaves_nothing(warta, big: str, small_disk: Path,
                                                    name: str) -> None:
    out = small_disk / name
    extra = ["--partition"] if name == "parts" else []
    status, stdout, err = warta("export", "--out", str(out), *extra, "--db", big)
    assert (status, stdout) == (1, "")
    assert err == f"Error: cannot write {out}: No space left on device\n"
    assert list(small_disk.iterdir()) == []


def test_a_read_only_disk_is_one_line(warta, db: str, small_disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    out = small_disk / "a.csv"
    assert warta("export", "--out", str(out), "--db", db) == (
        1, "", f"Error: cannot write {out}: Read-only file system\n")


def test_a_closed_pipe_ends_quietly(big: str) -> None:
    child = subprocess.Popen([sys.executable, "-m", "archive.commands", "export", "--out", "-",
                              "--db", big], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.readline()
    child.stdout.close()  # as `| head -1` does
    assert child.wait(timeout=60) == 1  # click's own quiet exit on a closed pipe
    assert child.stderr.read() == b""


def test_a_partition_folder_link_is_refused(warta, db: str, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "keep.txt").write_text("x")
    link = tmp_path / "parts"
    link.symlink_to(real)
    assert warta("export", "--out", str(link), "--partition", "--db", db) == (
        2, "", f"Error: --out: {link} is a symbolic link; warta does not write through links: "
               f"give the path it points to ({real}) or another name\n")
    assert link.is_symlink() and (real / "keep.txt").exists()


def test_a_link_planted_at_the_part_name_is_not_followed(warta, db: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    planted = tmp_path / f".a.jsonl.part-{os.getpid()}-0000"
    planted.symlink_to(precious)
    tokens = iter(["0000", "1111", "2222", "3333"])  # data, then the manifest
    monkeypatch.setattr("archive.export.secrets.token_hex", lambda _: next(tokens))
    assert warta("export", "--out", str(tmp_path / "a.jsonl"), "--db", db)[0] == 0
    assert precious.read_text() == "keep me\n"
    assert len((tmp_path / "a.jsonl").read_text().splitlines()) == 5
