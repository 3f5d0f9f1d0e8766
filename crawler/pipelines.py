"""Item pipelines, in order: normalize -> validate -> dedupe -> archive.

Each follows Scrapy's component shape: `__init__` takes plain values, `from_crawler` reads the
`WARTA_*` settings with typed getters and raises `NotConfigured` when the component is off.
What happens is counted in the crawl stats under slash names (`normalize/...`,
`validate/dropped/<reason>`, `dedupe/...`, `archive/new`, ...), which tests and the crawl
record read back.

The text clean-up steps are small pure functions below the pipelines, tested on their own.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import queue
import re
import threading
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, NoReturn, Self
from zoneinfo import ZoneInfo

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro

from archive import (
    ARCHIVE_ERROR,
    PUBLISHED_PRECISIONS,
    SITE_FIGURES,
    UNJUDGED_REASONS,
    Archive,
    ArchiveFileError,
    WartaError,
    WriteResult,
    content_hash,
    site_health,
    warnings_of,
)
from crawler.extensions.statscollector import jsonable
from crawler.extract.body import JSONLD_BODY_MIN_WORDS
from crawler.extract.related import collapse_related
from crawler.items import ArticleItem
from crawler.runtime.lock import CrawlLock, CrawlLocked, crawl_lock, held_here
from crawler.settings import archive_path, check_settings
from crawler.sites import SiteProfile, spider_profiles
from crawler.urls import canonical_url

logger = logging.getLogger(__name__)

# --- pure text functions ----------------------------------------------------------------------

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
"""Zero-width spaces and joiners, direction marks, word joiner, BOM and soft hyphen: invisible
characters that split words for search and change a content hash without changing the text."""

CONTROLS = {
    **dict.fromkeys([*range(0x00, 0x09), *range(0x0E, 0x1C), 0x7F, *range(0x80, 0x85),
                     *range(0x86, 0xA0)], None),
    **dict.fromkeys([0x0B, 0x0C, *range(0x1C, 0x20), 0x85], " "),
}
"""C0 and C1 control characters but tab, line feed and carriage return: removed, or a space
for those that separate words (vertical tab, form feed, the information separators, NEL).
A page's text has no use for them, and a terminal obeys them when an archived title or body
is printed: `ESC ] 0 ; ... BEL` retitles the window, `ESC [ 2 J` clears it, OSC 52 writes the
clipboard. The escape character goes, so what follows it is plain text."""

_CLEAN = {**ZERO_WIDTH, **CONTROLS}

_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)"   # OSC: window title, clipboard (52), links
    r"|(?:\x1b\[|\x9b)[0-?]{0,64}[ -/]{0,8}[@-~]"  # CSI: colours, cursor, clear screen
    r"|\x1b[@-Z\\-_]"                             # other two-character escapes
)
"""A whole terminal escape sequence, removed before the control characters are, so that its
parameters (`]0;title`, `[2J`) do not stay behind as text. An OSC must be terminated (BEL or
ST) within 512 characters: an unterminated one loses only its ESC, not the rest of the text."""


def strip_escapes(value: str) -> str:
    """`value` without terminal escape sequences (`_ESCAPE_SEQUENCE`)."""
    if "\x1b" in value or "\x9b" in value:
        return _ESCAPE_SEQUENCE.sub("", value)
    return value

TITLE_MAX_CHARS = 1_000
"""A headline (the article's or a related one) longer than this is cut: real ones are under
300 characters; a page that puts megabytes in its <title> should not put them in the archive
and its search index."""

NAME_MAX_CHARS = 200
"""An author, editor or reporter: a few names with their titles fit in far fewer."""

SHORT_MAX_CHARS = 200
"""A section, tag, dateline, sign-off, date as shown, or related-block label."""

CAPTION_MAX_CHARS = 2_000
"""A photo caption: a paragraph at most."""

LANGUAGE_MAX_CHARS = 35
"""A BCP 47 language tag: `id`, `en-US`; the longest registered tags are about 30."""

FIELD_LIMITS = {
    "title": TITLE_MAX_CHARS,
    "published_raw": SHORT_MAX_CHARS,
    "dateline": SHORT_MAX_CHARS,
    "editor": NAME_MAX_CHARS,
    "reporter": NAME_MAX_CHARS,
    "signoff": SHORT_MAX_CHARS,
    "signoff_raw": SHORT_MAX_CHARS,
    "section": SHORT_MAX_CHARS,
    "authors": NAME_MAX_CHARS,
    "tags": SHORT_MAX_CHARS,
    "captions": CAPTION_MAX_CHARS,
    "language": LANGUAGE_MAX_CHARS,
}
"""The longest value of each short text field (per item of a list field); a longer one is cut
at normalization and counted (`normalize/truncated/<field>`). The body is bounded by the page
size (DOWNLOAD_MAXSIZE)."""

_SPACES = re.compile(r"[^\S\n]+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_ENTITY = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});")


def clean_text(value: str) -> str:
    """One line of text: entities decoded, Unicode NFC, invisible and control characters
    removed, every run of whitespace (line breaks and no-break spaces too) one space, ends
    stripped."""
    if _ENTITY.search(value):
        value = html.unescape(value)
    value = unicodedata.normalize("NFC", strip_escapes(value)).translate(_CLEAN)
    return " ".join(value.split())


def clean_body(value: str) -> str:
    """Article text: each paragraph cleaned like `clean_text`, empty ones dropped, paragraphs
    separated by exactly one blank line."""
    if _ENTITY.search(value):
        value = html.unescape(value)
    value = unicodedata.normalize("NFC", strip_escapes(value)).translate(_CLEAN)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = (" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(value))
    return "\n\n".join(p for p in paragraphs if p)


def clean_list(values: Iterable[Any]) -> list[str]:
    """Strings cleaned, empty ones dropped, each kept once in first-seen order."""
    out: dict[str, None] = {}
    for value in values:
        if isinstance(value, str):
            text = clean_text(value)
            if text:
                out.setdefault(text, None)
    return list(out)


def cap(value: str, limit: int) -> tuple[str, bool]:
    """`value` cut to at most `limit` characters, ending in `…` when cut (at a space when one
    is near), and whether it was cut."""
    if len(value) <= limit:
        return value, False
    head = value[:limit - 1]
    space = head.rfind(" ", limit // 2)
    if space > 0:
        head = head[:space]
    return head.rstrip() + "…", True


def count_words(body: str) -> int:
    """Words in a text: whitespace-separated tokens holding at least one letter or digit
    (a lone dash or bullet is not a word)."""
    # a plain word (most tokens) is all letters and digits: one C call instead of a loop
    return sum(1 for token in body.split()
               if token.isalnum() or any(c.isalnum() for c in token))


def with_offset(value: str | None, tz: ZoneInfo) -> str | None:
    """An ISO 8601 instant with its UTC offset: a value without one takes the outlet's zone
    (a page that shows no zone means the outlet's local time). None when it does not parse."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.isoformat()


# --- pipelines ----------------------------------------------------------------------------------

def _stats(crawler: Crawler) -> StatsCollector:
    assert crawler.stats is not None
    return crawler.stats


def item_fields(item: Any) -> MutableMapping[str, Any]:
    """An item's fields, read and written in place: an `ArticleItem`'s own `__dict__` (a
    plain dataclass: its fields and nothing else), any other item through `ItemAdapter`.

    The pipelines run for every article in the crawl's one thread; an `ItemAdapter` and its
    generic look-ups cost about 1 microsecond per field access, which summed over the four
    pipelines to ~3% of the crawl process's time on bench/crawl.py."""
    if type(item) is ArticleItem:
        return item.__dict__
    return ItemAdapter(item)


def _has_field(fields: MutableMapping[str, Any], name: str) -> bool:
    """Whether the item has (or declares) the field `name`."""
    if name in fields:
        return True
    return isinstance(fields, ItemAdapter) and name in fields.field_names()


_UTC = ZoneInfo("UTC")


class NormalizePipeline:
    """Unicode NFC, whitespace, entities, invisible and control characters in every text
    field, short fields cut to their limit (`FIELD_LIMITS`, counted as
    `normalize/truncated/<field>`); dates
    given their outlet's offset when they have none; canonical URLs for the article and its
    related links; word count and content hash."""

    def __init__(self, stats: StatsCollector, profiles: Mapping[str, SiteProfile]) -> None:
        self.stats = stats
        self.profiles = profiles

    @staticmethod
    def _canonical_link(url: str, profile: SiteProfile | None) -> str:
        """A related link's canonical URL (the same headlines recur on many pages:
        `canonical_url` remembers them, `CANONICAL_MEMO_SIZE`)."""
        owns = profile.owns if profile else None
        home = profile.home_host if profile and profile.owns(url) else None
        return canonical_url(url, owns=owns, home_host=home)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(_stats(crawler), spider_profiles(crawler))

    def _inc(self, key: str) -> None:
        self.stats.inc_value(key)

    def _capped(self, name: str, value: str, limit: int | None = None) -> str:
        """`value` within its field's limit (`FIELD_LIMITS`), counted when cut."""
        value, cut = cap(value, limit if limit is not None else FIELD_LIMITS[name])
        if cut:
            self._inc(f"normalize/truncated/{name}")
        return value

    def process_item(self, item: Any) -> Any:
        adapter = item_fields(item)
        profile = self.profiles.get(adapter.get("source") or "")
        owns: Callable[[str], bool] | None = profile.owns if profile else None
        home_host = profile.home_host if profile else None
        tz = profile.tz if profile else _UTC

        adapter["url"] = canonical_url(adapter["url"], owns=owns, home_host=home_host)
        for name in ("title", "published_raw", "dateline", "editor", "reporter", "signoff",
                     "signoff_raw", "section"):
            value = adapter.get(name)
            if isinstance(value, str):
                adapter[name] = self._capped(name, clean_text(value)) or None
        body = adapter.get("body")
        adapter["body"] = clean_body(body) if isinstance(body, str) else None
        for name in ("authors", "tags", "captions"):
            if _has_field(adapter, name):
                values = clean_list(adapter.get(name) or [])
                limit = FIELD_LIMITS[name]
                if any(len(v) > limit for v in values):
                    self._inc(f"normalize/truncated/{name}")
                    values = list(dict.fromkeys(cap(v, limit)[0] for v in values))
                adapter[name] = values
        language = adapter.get("language")
        language = clean_text(language).lower() if isinstance(language, str) else ""
        adapter["language"] = (self._capped("language", language) if language
                               else (profile.language if profile else None))
        for name in ("published_at", "modified_at"):
            raw = adapter.get(name)
            fixed = with_offset(raw, tz)
            if raw and fixed is None:
                self._inc(f"normalize/{name}_unparsed")
            adapter[name] = fixed
        if not adapter.get("published_at"):
            self._inc("normalize/no_date")
        if _has_field(adapter, "published_precision"):
            precision = adapter.get("published_precision")
            if precision is not None and precision not in PUBLISHED_PRECISIONS:
                self._inc("normalize/published_precision_unknown")
                precision = None
            # a precision says what the date is worth: none without a date
            adapter["published_precision"] = precision if adapter.get("published_at") else None
        adapter["fetched_at"] = with_offset(adapter.get("fetched_at"), _UTC)

        related = []
        for link in adapter.get("related") or []:
            if not isinstance(link, Mapping) or not isinstance(link.get("url"), str):
                continue
            related.append({
                "url": self._canonical_link(link["url"], profile),
                "title": (self._capped("related_title", clean_text(link["title"]),
                                       TITLE_MAX_CHARS)
                          if isinstance(link.get("title"), str) else None),
                "block": (self._capped("related_block", clean_text(link["block"]),
                                       SHORT_MAX_CHARS) or None
                          if isinstance(link.get("block"), str) else link.get("block")),
                "position": link.get("position"),
            })
        adapter["related"] = related

        body_text = adapter.get("body") or ""
        adapter["word_count"] = count_words(body_text)
        adapter["content_hash"] = content_hash(adapter.get("title") or "", body_text)
        return item


SHORT_BODY_WORDS = JSONLD_BODY_MIN_WORDS
"""A body of fewer words than this is archived as `short` (`body_status`): the bound under
which extraction itself takes a JSON-LD `articleBody` for a teaser, not the article (30
words; regional news runs 80-150). A short body is often a body chain that caught only a
lead or a caption: the article is kept, marked, and read again by a later crawl."""

class ValidatePipeline:
    """Judge whether an item is an article, and how whole its body is.

    No title: not an article, dropped (`validate/dropped/no_title`). A title but no body:
    archived as `body_status = 'missing'` when the page gave a publication date (an article
    page whose body the rules could not read: its title, date and author are worth keeping,
    and a later crawl reads it again), dropped as `no_body` when it gave none either (most
    likely not an article). A body of fewer than `SHORT_BODY_WORDS` words: `short`. Else `ok`.
    The reason of a `missing` or `short` body goes in `provenance` (`body`: `missing: why`;
    `body_status`: `short: N words`). Counted: `validate/dropped/<reason>` and
    `site/<key>/dropped`; `validate/ok` for every item passed on, `validate/body_missing`,
    `validate/body_short` and `site/<key>/body_missing|body_short` among them.

    Before judging, it counts per site how many articles read had a date, a body and an author
    (`site/<key>/with_date|with_body|with_author`): the figures `warta health` watches."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(_stats(crawler))

    def process_item(self, item: Any) -> Any:
        adapter = item_fields(item)
        site = adapter.get("source")
        body = adapter.get("body")
        dated = adapter.get("published_at")
        for name, present in (("with_date", dated),
                              ("with_body", body),
                              ("with_author", adapter.get("authors"))):
            if present:
                self.stats.inc_value(f"site/{site}/{name}")
        reason = None
        if not adapter.get("title"):
            reason = "no_title"
        elif not body and not dated:
            reason = "no_body"
        if reason is None:
            status = body_status(adapter)
            if _has_field(adapter, "body_status"):
                adapter["body_status"] = status
            if status != "ok":
                self.stats.inc_value(f"validate/body_{status}")
                self.stats.inc_value(f"site/{site}/body_{status}")
            self.stats.inc_value("validate/ok")
            return item
        self.stats.inc_value(f"validate/dropped/{reason}")
        self.stats.inc_value(f"site/{site}/dropped")
        where = adapter.get("fetched_url") or adapter.get("url")
        raise DropItem(f"{reason.replace('_', ' ')}: {where}", log_level="WARNING")


def body_status(fields: MutableMapping[str, Any]) -> str:
    """`ok`, `short` or `missing` for an article's body (`SHORT_BODY_WORDS`), writing the
    reason of a body that is not `ok` into its `provenance` and an empty body as `""` (the
    archive's form of "no body")."""
    body = fields.get("body") or ""
    provenance = fields.get("provenance")
    if not isinstance(provenance, dict):
        provenance = {}
        if _has_field(fields, "provenance"):
            fields["provenance"] = provenance
    if not body:
        fields["body"] = ""
        stage = provenance.get("body")
        provenance["body"] = (
            f"missing: the {stage} body was empty once cleaned" if stage
            else "missing: no stage of the body chain (profile selector, density rules, "
                 "JSON-LD articleBody) found article text")
        return "missing"
    words = fields.get("word_count")
    if not isinstance(words, int):
        words = count_words(body)
    if words < SHORT_BODY_WORDS:
        provenance["body_status"] = f"short: {words} words (under {SHORT_BODY_WORDS})"
        return "short"
    return "ok"


class DedupePipeline:
    """One item per canonical URL in a crawl (`dedupe/dropped/duplicate_url`), and each related
    link once per page (`dedupe/related_collapsed`, `dedupe/related_self`). Across crawls the
    archive keeps one row per URL and one `links` row per target."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(_stats(crawler))

    def open_spider(self) -> None:
        self.seen = set()

    def process_item(self, item: Any) -> Any:
        adapter = item_fields(item)
        stats = self.stats
        url = adapter["url"]
        if url in self.seen:
            stats.inc_value("dedupe/dropped/duplicate_url")
            raise DropItem(f"duplicate of an article already crawled: {url}", log_level="DEBUG")
        self.seen.add(url)
        related, collapsed, self_links = collapse_related(adapter.get("related") or [], url)
        adapter["related"] = related
        if collapsed:
            stats.inc_value("dedupe/related_collapsed", collapsed)
        if self_links:
            stats.inc_value("dedupe/related_self", self_links)
        return item


def _take_crawl_lock(crawler: Crawler, db_path: str) -> CrawlLock | None:
    """The archive's crawl lock for a crawl started the Scrapy way (`scrapy crawl news`, a
    scrapyd job), so that it never overlaps another crawl of the same archive: None when this
    process holds it already (`warta crawl` takes it before Scrapy starts). Held by another
    process: the spider is told to crawl nothing (one error line, finish reason `locked`) and
    the pipeline is off, so the archive is not touched."""
    lock = crawl_lock(db_path, crawler.settings.get("WARTA_STATE_DIR"))
    if held_here(lock.path):
        return None
    try:
        lock.acquire()
    except CrawlLocked as exc:
        holder = exc.holder
        message = (f"another crawl holds the lock on {db_path} "
                   f"({holder.describe() if holder else 'another process'}; lock file "
                   f"{exc.lock_file}); this crawl fetches nothing: schedule it again once that "
                   "one has ended")
        reason = "locked"
    except WartaError as exc:  # the state folder cannot be made
        message, reason = str(exc), "bad_settings"
    else:
        return lock
    _refuse(crawler, message, reason)


def _refuse(crawler: Crawler, message: str, reason: str) -> NoReturn:
    """The crawl must fetch nothing: the spider logs `message` as one line and closes with
    `reason`; the archive pipeline is off."""
    refuse = getattr(crawler.spider, "refuse", None)
    if refuse is not None:
        refuse(message, reason)
    else:
        logger.error("%s", message)
    raise NotConfigured


def stop_for_archive(crawler: Crawler, exc: WartaError, *, closing: bool = False) -> None:
    """The archive file failed (`ArchiveFileError`: damaged, disk full, read-only): every
    component that meets it calls this, which says so once, as one line (also the stat
    `archive/error`), and closes the spider with the finish reason `archive_error` (unless
    it is `closing` already)."""
    stats = _stats(crawler)
    if stats.get_value("archive/error"):
        return
    message = archive_failure(exc)
    logger.error("%s", message)
    stats.set_value("archive/error", message)
    engine = crawler.engine
    if not closing and engine is not None and engine.spider is not None:
        closed = deferred_from_coro(engine.close_spider_async(reason=ARCHIVE_ERROR))
        closed.addErrback(lambda failure: logger.debug("closing: %s", failure.value))


REPORTED_BY_CLI: set[str] = set()
"""Log messages that `warta crawl` prints itself as its one `Error:` line at the end, so its
stderr handler leaves their records out (a `LOG_FILE` and `scrapy crawl`'s log keep them)."""


def archive_failure(exc: WartaError) -> str:
    """The one line of a crawl stopped by its archive (`REPORTED_BY_CLI`)."""
    message = f"the crawl stopped: {exc}; then crawl again"
    REPORTED_BY_CLI.add(message)
    return message


WRITER_QUEUE_BATCHES = 2
"""Batches that may wait for the archive's writer thread while it writes one. Enough to keep
it busy while the crawl gathers the next; few, so memory stays flat and a crawl killed with
SIGKILL loses little (what it had not written is fetched again when its job is recovered).
When the writer falls behind, handing it a batch waits, as writing one in place did."""


WRITER_CHECK_SECONDS = 1.0
"""How often a wait for the writer thread checks that the thread is still there."""


@dataclass
class _Written:
    """What the writer did with one batch, for the crawl's thread to count and log."""

    source: str
    result: WriteResult
    refused: list[tuple[Any, str]] = field(default_factory=list)
    """(url, reason) of each record the archive refused."""
    failed: BaseException | None = None
    """An unexpected error that stopped the whole batch (every record counted as refused)."""
    fatal: bool = False
    """`failed` is the archive file's own (`ArchiveFileError`: damaged, full, read-only):
    the crawl must stop, for no later batch can be written either."""


class _ArchiveWriter:
    """A thread with its own connection to the archive that writes the batches handed to it,
    one transaction per batch, in order.

    SQLite does its work (the full-text index above all) without holding Python's lock, so the
    crawl's thread goes on with the next responses meanwhile. Results come back through `done`
    and are counted by the crawl's thread (Scrapy's stats are not for other threads). Whatever
    fails, the thread keeps taking batches, so handing one over never waits forever. Once the
    archive file itself has failed (`ArchiveFileError`, or it could not be opened), the
    batches that follow are refused without touching the file again: the crawl is stopping."""

    def __init__(self, db_path: str, crawl_id: int | None) -> None:
        self.db_path = db_path
        self.crawl_id = crawl_id
        self.batches: queue.Queue[tuple[str, list[dict[str, Any]]] | None] = queue.Queue(
            maxsize=WRITER_QUEUE_BATCHES)
        self.done: queue.SimpleQueue[_Written] = queue.SimpleQueue()
        self.broken: BaseException | None = None
        """The archive's own failure, once there was one."""
        self.thread = threading.Thread(target=self._run, name="warta-archive-writer",
                                       daemon=True)
        self.thread.start()

    def _run(self) -> None:
        archive: Archive | None = None
        opening: BaseException | None = None
        try:
            archive = Archive(self.db_path)
        except Exception as exc:  # reported by the crawl's thread, which stops the crawl
            opening = exc
        try:
            while True:
                job = self.batches.get()
                try:
                    if job is None:
                        return
                    source, batch = job
                    if archive is None:
                        assert opening is not None
                        self.done.put(_Written(source, WriteResult(), failed=opening,
                                               refused=[(r.get("url"), "") for r in batch],
                                               fatal=True))
                    else:
                        self.done.put(self._write(archive, source, batch))
                finally:
                    self.batches.task_done()
        finally:
            if archive is not None:
                archive.close()

    def _write(self, archive: Archive, source: str, batch: list[dict[str, Any]]) -> _Written:
        if self.broken is not None:
            return _Written(source, WriteResult(), failed=self.broken, fatal=True,
                            refused=[(r.get("url"), "") for r in batch])
        try:
            return _Written(source, archive.write(batch, crawl_id=self.crawl_id))
        except ArchiveFileError as exc:
            self.broken = exc
            return _Written(source, WriteResult(), failed=exc, fatal=True,
                            refused=[(r.get("url"), "") for r in batch])
        except WartaError:
            pass
        except Exception as exc:
            return _Written(source, WriteResult(), failed=exc,
                            refused=[(r.get("url"), "") for r in batch])
        # One bad record refuses the whole batch: write the others one by one.
        written = _Written(source, WriteResult())
        for index, record in enumerate(batch):
            try:
                written.result = written.result + archive.write([record], crawl_id=self.crawl_id)
            except ArchiveFileError as exc:
                self.broken = written.failed = exc
                written.fatal = True
                written.refused.extend((r.get("url"), "") for r in batch[index:])
                break
            except WartaError as exc:
                written.refused.append((record.get("url"), str(exc)))
            except Exception as exc:
                written.failed = exc
                written.refused.append((record.get("url"), ""))
        return written

    def hand_over(self, source: str, batch: list[dict[str, Any]]) -> None:
        """Queue one batch (waits while `WRITER_QUEUE_BATCHES` are already waiting)."""
        while True:
            try:
                self.batches.put((source, batch), timeout=WRITER_CHECK_SECONDS)
                return
            except queue.Full:
                self._check_alive()

    def wait(self) -> None:
        """Return once every batch handed over is written."""
        done = self.batches.all_tasks_done
        with done:
            while self.batches.unfinished_tasks:
                self._check_alive()
                done.wait(WRITER_CHECK_SECONDS)

    def _check_alive(self) -> None:
        if not self.thread.is_alive():  # it catches every error: only a bug gets here
            raise WartaError(f"the archive writer thread stopped; articles of this crawl "
                             f"may be missing from {self.db_path}: crawl again to fetch them")

    def stop(self) -> None:
        """Write what was handed over, then end the thread."""
        self.batches.put(None)
        self.thread.join()


class ArchivePipeline:
    """Write items into the archive in batched transactions, in a writer thread.

    The archive opens when the spider opens (outlets recorded in `sources`, a `crawls` row
    begun) and closes when it closes (last batch written, the crawl row finished with its finish
    reason, counts and Scrapy stats). Items wait in a buffer per outlet and are handed to the
    writer thread (`_ArchiveWriter`, one transaction per outlet's batch) when `WARTA_BATCH_SIZE`
    have gathered or the oldest has waited `WARTA_FLUSH_SECONDS`; the crawl goes on while they
    are written. Counts go to `archive/new|updated|unchanged|links_new|links_seen` and
    `site/<key>/new|updated|unchanged`, as each batch is done. A record the archive refuses is
    counted (`archive/rejected`) and logged; the rest of its batch is still written. A clean
    stop writes every item; a killed crawl loses at most the batches not yet written, which
    its recovered job fetches again. Off with `WARTA_ARCHIVE_ENABLED = False`.

    When the archive file itself fails (damaged, disk full, read-only: `ArchiveFileError`),
    nothing more can be written, so the crawl stops: one error line naming the archive and
    what to do (also in the stat `archive/error`), finish reason `archive_error` (recorded
    when the archive still takes it; never judged against the outlet, `archive.health`), and
    `warta crawl` exits with `EXIT_ARCHIVE_ERROR` (74).
    """

    def __init__(self, db_path: str, *, stats: StatsCollector,
                 profiles: Mapping[str, SiteProfile], crawl_args: Mapping[str, Any] | None = None,
                 batch_size: int = 100, flush_seconds: float = 10.0) -> None:
        self.db_path = db_path
        self.stats = stats
        self.profiles = profiles
        self.crawl_args = dict(crawl_args or {})
        self.batch_size = max(1, batch_size)
        self.flush_seconds = flush_seconds
        self.archive: Archive | None = None
        self.crawl_id: int | None = None
        self.writer: _ArchiveWriter | None = None
        self.buffers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.waiting = 0
        self.oldest: float | None = None
        self.totals = WriteResult()
        self.lock: CrawlLock | None = None
        """The archive's crawl lock when this pipeline took it (a Scrapy-way crawl: `scrapy
        crawl`, scrapyd), released once the crawl record is finished."""
        self.crawler: Crawler | None = None
        self.closing = False
        self.open_failure: WartaError | None = None
        """Why the archive could not record the crawl's start, when it could not."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("WARTA_ARCHIVE_ENABLED"):
            raise NotConfigured
        spider = crawler.spider
        if getattr(spider, "argument_error", None):
            raise NotConfigured  # the spider will crawl nothing: leave the archive untouched
        try:  # `warta crawl` checked them already; `scrapy crawl news -s ...` did not
            check_settings(settings)
        except WartaError as exc:
            _refuse(crawler, str(exc), "bad_settings")
        db_path = archive_path(settings)
        lock = _take_crawl_lock(crawler, db_path)
        since = getattr(spider, "since", None)
        crawl_args = {
            "since": str(since) if since else None,
            "max_articles": getattr(spider, "max_articles", 0) or None,
            "sites_dir": settings.get("WARTA_SITES_DIR"),
            "incremental": settings.getbool("WARTA_INCREMENTAL"),
            "refresh_days": settings.getfloat("WARTA_REFRESH_DAYS"),
        }
        if settings.get("WARTA_JOB"):
            crawl_args["job"] = settings.get("WARTA_JOB")
            crawl_args["job_started"] = settings.get("WARTA_JOB_STARTED")
        pipeline = cls(db_path, stats=_stats(crawler),
                       profiles=spider_profiles(crawler), crawl_args=crawl_args,
                       batch_size=settings.getint("WARTA_BATCH_SIZE"),
                       flush_seconds=settings.getfloat("WARTA_FLUSH_SECONDS"))
        pipeline.lock = lock
        pipeline.crawler = crawler
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.archive = Archive(self.db_path)
        try:
            for profile in self.profiles.values():
                record = profile.source_record()
                self.archive.set_source(record["key"], name=record["name"],
                                        homepage=record["homepage"],
                                        timezone=record["timezone"], region=record["region"])
            self.crawl_id = self.archive.begin_crawl(list(self.profiles), self.crawl_args)
        except ArchiveFileError as exc:  # damaged where the crawl is recorded: stop now
            self.archive.close()
            self.archive = None
            # The spider has not started: it fetches nothing and closes with `archive_error`
            # (the stat and the line come when it closes: the stats are reset after this).
            self.open_failure = exc
            refuse = getattr(self.crawler.spider if self.crawler else None, "refuse", None)
            if refuse is None:
                raise
            refuse(archive_failure(exc), ARCHIVE_ERROR)
        self.stats.set_value("archive/crawl_id", self.crawl_id)
        self.writer = _ArchiveWriter(self.db_path, self.crawl_id)

    def process_item(self, item: Any) -> Any:
        if self.writer is None:  # the archive could not be opened: the crawl is stopping
            self._count("archive/rejected")
            return item
        # A shallow copy: the archive only reads the values (ItemAdapter.asdict() would deep-copy
        # every related link of every article).
        record = {k: v for k, v in item_fields(item).items() if v is not None}
        record.setdefault("related", [])
        self.buffers[record["source"]].append(record)
        self.waiting += 1
        now = time.monotonic()
        if self.oldest is None:
            self.oldest = now
        if self.waiting >= self.batch_size or now - self.oldest >= self.flush_seconds:
            self._hand_over()
        self._count_written()
        return item

    def _hand_over(self) -> None:
        """Give every buffered item to the writer thread, one batch per outlet."""
        assert self.writer is not None
        for source, batch in list(self.buffers.items()):
            if batch:
                self.writer.hand_over(source, batch)
        self.buffers.clear()
        self.waiting = 0
        self.oldest = None

    def flush(self) -> None:
        """Write every buffered item (one transaction per outlet) and count what was written;
        returns once it is in the archive."""
        if self.writer is None:
            return
        self._hand_over()
        self.wait_written()

    def wait_written(self) -> None:
        """Return once the batches handed to the writer are written and counted (items still
        gathering in the buffer keep waiting for their batch)."""
        if self.writer is not None:
            self.writer.wait()
            self._count_written()

    def _count_written(self) -> None:
        """Count and log the batches the writer has finished since the last call."""
        if self.writer is None:
            return
        done = self.writer.done
        while not done.empty():
            written = done.get()
            result = written.result
            self.totals = self.totals + result
            for name, value in result.as_dict().items():
                self._count(f"archive/{name}", value)
                if name in ("new", "updated", "unchanged"):
                    self._count(f"site/{written.source}/{name}", value)
            if written.fatal:
                assert written.failed is not None
                self._count("archive/rejected", len(written.refused))
                self._stop_crawl(written.failed)
                continue
            if written.failed is not None:
                exc = written.failed
                logger.error("archive could not write %d article(s) of %s: %s: %s",
                             len(written.refused), written.source, type(exc).__name__, exc,
                             exc_info=(type(exc), exc, exc.__traceback__))
                self._count("archive/rejected", len(written.refused))
                continue
            for url, reason in written.refused:
                self._count("archive/rejected")
                logger.error("archive refused %s: %s", url, reason)

    def _count(self, key: str, value: int = 1) -> None:
        if value:
            self.stats.inc_value(key, value)

    def _stop_crawl(self, exc: BaseException) -> None:
        """The archive file failed: say so once, as one line, and close the spider."""
        if not isinstance(exc, WartaError):  # the writer could not even open it
            exc = ArchiveFileError(f"the archive {self.db_path} could not be opened "
                                   f"({type(exc).__name__}: {exc})")
        if self.crawler is not None:
            stop_for_archive(self.crawler, exc, closing=self.closing)

    def close_spider(self) -> None:
        self.closing = True
        self._stop_writer()

    def _stop_writer(self) -> None:
        writer = self.writer
        if writer is None:
            return
        self.flush()
        writer.stop()
        self.writer = None

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Finish the crawl record (the finish reason is known only now), close the archive,
        and release the crawl lock if this pipeline took it."""
        try:
            if self.open_failure is not None and self.crawler is not None:
                stop_for_archive(self.crawler, self.open_failure, closing=True)
            self._finish(reason)
        finally:
            if self.lock is not None:
                self.lock.release()
                self.lock = None

    def _finish(self, reason: str) -> None:
        if self.archive is None:
            return
        self.closing = True
        self._stop_writer()  # already done by close_spider when the engine called it
        failure = self.stats.get_value("archive/error")
        if failure:  # also when only the last batches, at the close, failed
            reason = ARCHIVE_ERROR
            self.stats.set_value("finish_reason", reason)
        stats = self.stats.get_stats()
        counts: dict[str, Any] = dict(self.totals.as_dict())
        counts["dropped"] = sum(v for k, v in stats.items() if k.startswith("validate/dropped/"))
        counts["errors"] = int(stats.get("errors/total", 0))
        counts["errors_by_kind"] = {k.split("/", 1)[1]: v for k, v in sorted(stats.items())
                                    if k.startswith("errors/") and k != "errors/total"}
        counts["skipped"] = sum(int(stats.get(f"site/{key}/skipped", 0))
                                for key in self.profiles)
        counts["requests"] = int(stats.get("downloader/request_count", 0))
        counts["pages"] = int(stats.get("downloader/response_count", 0))
        sites = [{"source": key, **{name: stats.get(f"site/{key}/{name}", 0)
                                    for name in SITE_FIGURES}} for key in self.profiles]
        try:
            if self.crawl_id is not None:
                self.archive.finish_crawl(self.crawl_id, finish_reason=reason, counts=counts,
                                          stats=jsonable(stats), sites=sites)
                if reason not in UNJUDGED_REASONS and reason != ARCHIVE_ERROR:
                    self._check_health(self.crawl_id)
        except WartaError as exc:
            if not failure:
                raise
            # the damaged archive may refuse the crawl's record too: already said
            logger.info("the crawl's record could not be finished: %s", exc)
        finally:
            self.archive.close()
            self.archive = None

    def _check_health(self, crawl_id: int) -> None:
        """Judge each outlet's figures against its earlier runs (`archive.health`): warnings
        go to the log and to the stats (`health/warnings`, `health/messages`)."""
        assert self.archive is not None
        warnings = warnings_of(site_health(self.archive, crawl_id=crawl_id))
        for warning in warnings:
            logger.warning("health: %s", warning.message)
        self.stats.set_value("health/warnings", len(warnings))
        if warnings:
            self.stats.set_value("health/messages", [w.message for w in warnings])


__all__ = [
    "SHORT_BODY_WORDS",
    "ArchivePipeline",
    "DedupePipeline",
    "NormalizePipeline",
    "ValidatePipeline",
    "clean_body",
    "clean_list",
    "clean_text",
    "collapse_related",
    "count_words",
    "item_fields",
    "with_offset",
]
