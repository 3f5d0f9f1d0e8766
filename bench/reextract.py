"""`warta reextract` speed: captured pages read back through the extractor, per second.

    python bench/reextract.py --n 10000

1. Renders N generated article pages of the demo outlet `kaltimnews` (its real template, as
   `bench/crawl.py` does) and captures each through the crawl's WARC writer
   (`crawler.capture.warcfiles`) into the capture folder of a new archive, whose rows say each
   article was read by an older extractor with a wrong title and no body (every article then
   changes: the slowest case, a version written for each).
2. Runs `warta reextract` on it as users do (a child process, worker processes as it starts
   them), then again with `--changed-only` (nothing left to read) to show the skip is cheap.
3. Baseline, same run: `crawler.extract.extract_article` alone over the same pages in one
   process (no WARC, no archive).

Target (issue 16): at least 200 pages/s over 10,000 captured pages.

The last line: `n=... pages_per_s=... extract_only_pages_per_s=... ratio=... changed=...
peak_rss_mb=...` (`peak_rss_mb`: the largest resident memory of the `warta reextract` process
or one of its workers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crawl import child_env, render_site  # noqa: E402

SITE = "kaltimnews"
BASE = "http://127.0.0.1:8999"
BASELINE_PAGES = 1000


def build(work: Path, n: int) -> tuple[Path, Path, list[tuple[str, bytes]]]:
    """The archive, its sites folder, and the pages (url, body)."""
    from archive import Archive, capture_dir
    from crawler.capture.warcfiles import Page, WarcFiles
    from crawler.sites import write_profile

    pages_dir = work / "site"
    pages_dir.mkdir()
    urls = render_site(pages_dir, BASE, n)
    sites = work / "sites"
    sites.mkdir()
    write_profile(sites, SITE, {"name": "Bench", "homepage": BASE + "/",
                                "timezone": "Asia/Makassar"})
    db = work / "bench.db"
    folder = capture_dir(db)
    folder.mkdir()
    files = WarcFiles(folder, extractor="0.0.1+older")
    pages = []
    records = []
    fetched = dt.datetime(2024, 5, 1, 2, 0, tzinfo=dt.UTC)
    for url in urls:
        path = pages_dir / url[len(BASE) + 1:]
        body = (path / "index.html" if url.endswith("/") else path).read_bytes()
        pages.append((url, body))
        ref = files.capture(SITE, Page(
            url=url, method="GET", request_headers=[("User-Agent", "warta-bench")],
            request_body=b"", status=200, protocol="HTTP/1.1",
            headers=[("Content-Type", "text/html; charset=utf-8")], body=body,
            fetched_at=fetched))
        records.append({"url": url, "source": SITE, "title": "judul lama", "body": "",
                        "published_at": "2024-05-01T10:00:00+08:00",
                        "fetched_at": fetched.isoformat(), "captures": [ref.as_dict()]})
    files.close()
    with Archive(db) as archive:
        for start in range(0, len(records), 1000):
            archive.write(records[start:start + 1000])
    return db, sites, pages


def reextract(db: Path, sites: Path, *args: str) -> tuple[float, str, float]:
    """(seconds, its output, peak resident memory in MB) of one `warta reextract` child: the
    peak of the largest process of it and the worker processes it waited for (`wait4`)."""
    import os

    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen([sys.executable, "-m", "crawler.cli", "reextract", "--db",
                                  str(db), "--sites-dir", str(sites), *args], env=child_env(),
                                 stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - started
        if child.returncode:
            raise SystemExit(f"warta reextract exited with {child.returncode}")
        out.seek(0)
        text = out.read().decode()
    return elapsed, text, usage.ru_maxrss / 1024  # KB on Linux


def baseline(pages: list[tuple[str, bytes]], sites: Path) -> float:
    """Pages per second of extraction alone, in this process."""
    from crawler.extract import extract_article
    from crawler.sites import load_profiles

    profile = load_profiles(sites)[SITE]
    sample = pages[:BASELINE_PAGES]
    fetched = dt.datetime(2024, 5, 1, 2, 0, tzinfo=dt.UTC)
    extract_article(sample[0][1], sample[0][0], profile=profile, fetched_at=fetched)  # warm up
    started = time.monotonic()
    for url, body in sample:
        extract_article(body, url, profile=profile, fetched_at=fetched)
    return len(sample) / (time.monotonic() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10000, help="captured pages (default 10000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="warta-bench-") as tmp:
        work = Path(tmp)
        started = time.monotonic()
        db, sites, pages = build(work, args.n)
        print(f"captured {len(pages)} pages in {time.monotonic() - started:.1f} s",
              file=sys.stderr)
        elapsed, out, peak = reextract(db, sites)
        print(out.strip(), file=sys.stderr)
        changed = out.split(" changed")[0].rsplit(" ", 1)[-1]
        again, out_again, _ = reextract(db, sites, "--changed-only")
        print(out_again.strip(), f"({again:.1f} s)", file=sys.stderr)
        extract_rate = baseline(pages, sites)
    rate = len(pages) / elapsed
    print(f"n={len(pages)} pages_per_s={rate:.1f} extract_only_pages_per_s={extract_rate:.1f} "
          f"ratio={rate / extract_rate:.2f} changed={changed} peak_rss_mb={peak:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
