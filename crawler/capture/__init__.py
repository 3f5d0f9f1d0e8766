"""WARC captures of the pages a crawl fetches (`warcfiles`, written by
`crawler.middlewares.capture.CaptureMiddleware`), and `warta reextract`, which reads them back
through the current extractor (`reextract`)."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from archive import __version__, capture_dir

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


@functools.cache
def extractor_version() -> str:
    """The version of the extraction code: warta's version and a short hash of the sources of
    `crawler.extract` (and the bundled outlet profiles), so that any change to the rules reads
    as a new extractor, released or not (`2.3.0+1f2e3d4c`)."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted([*(root / "extract").glob("*.py"), *(root / "sites").glob("*.toml")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:8]}"


def capture_folder(settings: BaseSettings) -> Path | None:
    """The folder a crawl captures into: the archive's, beside it (`kaltim.db` ->
    `kaltim.warc/`: the archive finds its records there; make it a symbolic link to keep them
    on another disk); None when capture is off (`WARTA_CAPTURE`), or the crawl writes no
    archive (`WARTA_ARCHIVE_ENABLED`: a capture belongs to the archive that points at it;
    `warta sites --check` writes nothing)."""
    from crawler.settings import archive_path

    if not settings.getbool("WARTA_CAPTURE") or not settings.getbool("WARTA_ARCHIVE_ENABLED"):
        return None
    return capture_dir(archive_path(settings))


def check_capture(settings: BaseSettings) -> None:
    """Before a crawl starts: raise `CaptureError` (one line) when capture is on and its
    folder cannot be made or written."""
    from crawler.capture.warcfiles import check_folder

    folder = capture_folder(settings)
    if folder is not None:
        check_folder(folder)
