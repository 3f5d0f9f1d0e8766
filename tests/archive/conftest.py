"""Fixtures for the archive tests: real SQLite files in a temporary folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from archive.commands import cli, run

Record = dict[str, Any]


def make_record(n: int = 1, **fields: Any) -> Record:
    """A valid article record; `fields` override or add keys."""
    record: Record = {
        "url": f"https://kaltimpost.example/berita/{n}",
        "source": "kaltimpost",
        "title": f"Judul berita nomor {n}",
        "body": f"SAMARINDA - Isi berita nomor {n}.\n\nParagraf kedua berita {n}.",
        "published_at": "2023-05-23T10:15:00+08:00",
        "authors": ["Budi Santoso"],
    }
    record.update(fields)
    return record


@pytest.fixture
def record() -> Callable[..., Record]:
    return make_record


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "warta.db"


@pytest.fixture(scope="session")
def new_archive_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new, empty archive (every migration applied), made once per session and closed."""
    path = tmp_path_factory.mktemp("new-archive") / "warta.db"
    with Archive(path):
        pass
    return path


@pytest.fixture
def archive(db_path: Path, new_archive_file: Path) -> Iterator[Archive]:
    """A new, empty archive at `db_path`, open for writing: a copy of `new_archive_file`
    (opening a copy takes milliseconds; migrating a new file takes a tenth of a second, and
    300 tests use this). Making a new archive is tests/archive/test_schema.py's subject."""
    shutil.copyfile(new_archive_file, db_path)
    with Archive(db_path) as opened:
        yield opened


#: A small corpus for search, filter and export tests: three outlets in two zones, known
#: words in titles and bodies, one undated article.
CORPUS: list[Record] = [
    make_record(1, title="Stunting di Samarinda turun", source="kaltimpost",
                body="SAMARINDA - Angka stunting turun berkat sanitasi yang lebih baik.",
                published_at="2023-01-01T00:30:00+08:00", published_precision="time",
                section="Kesehatan",
                authors=["Sri Wahyuni"], dateline="SAMARINDA", language="id"),
    make_record(2, title="Banjir melanda Balikpapan", source="tribunkaltim",
                url="https://tribunkaltim.example/berita/2",
                body="BALIKPAPAN - Banjir setinggi lutut. Warga menyebut stunting bukan "
                     "prioritas saat banjir.", published_at="2023-06-15T08:00:00+08:00",
                section="Daerah", authors=["Andi Harun", "Dewi Lestari"], language="id",
                published_precision="time"),
    make_record(3, title="Pemilu 2024: tahapan kampanye", source="jakartanews",
                url="https://jakartanews.example/berita/3",
                body="JAKARTA - KPU menyiapkan tahapan kampanye. Café (kafe) jadi posko.",
                published_at="2022-12-31T23:30:00+07:00", published_precision="time",
                section="Politik", authors=["Budi Santoso"], language="id"),
    make_record(4, title="Sanitasi dan air bersih", source="kaltimpost",
                url="https://kaltimpost.example/berita/4",
                body="Program sanitasi air bersih di desa. Stunting stunting stunting.",
                published_at=None, section="Kesehatan", authors=[], language="id"),
    make_record(5, title="Festival budaya Mahakam", source="tribunkaltim",
                url="https://tribunkaltim.example/berita/5",
                body="TENGGARONG - Festival Erau digelar meriah. English words: the festival.",
                published_at="2024-02-10T19:00:00+08:00", published_precision="relative",
                section="Budaya",
                authors=["Rina Marlina"], language="en"),
]

SOURCES = {
    "kaltimpost": {"name": "Kaltim Post", "timezone": "Asia/Makassar",
                   "region": "Kalimantan Timur, Samarinda"},
    "tribunkaltim": {"name": "Tribun Kaltim", "timezone": "Asia/Makassar",
                     "region": "Kalimantan Timur, Balikpapan"},
    "jakartanews": {"name": "Jakarta News", "timezone": "Asia/Jakarta", "region": "DKI Jakarta"},
}


def fill(archive: Archive) -> None:
    for key, fields in SOURCES.items():
        archive.set_source(key, **fields)
    archive.write(CORPUS)


@pytest.fixture
def corpus(archive: Archive) -> Archive:
    """`archive` holding CORPUS (ids 1-5 in order) and its three outlets."""
    fill(archive)
    return archive


@pytest.fixture
def corpus_records() -> list[Record]:
    """CORPUS as written by the `corpus` fixture (copies: tests may change them)."""
    return [dict(r) for r in CORPUS]


@pytest.fixture
def warta(capsys: pytest.CaptureFixture[str]):
    """Run `warta ARGS...` in-process: (exit status, stdout, stderr)."""
    def invoke(*args: str) -> tuple[int, str, str]:
        status = run(cli, list(args))
        captured = capsys.readouterr()
        return status, captured.out, captured.err
    return invoke
