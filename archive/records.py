"""Article records: what `Archive.write` accepts, checked and turned into table rows.

A record is a plain mapping (a dict from a notebook, a Scrapy item turned into a dict). The
known keys are listed in `FIELDS` with their kind; `url`, `source`, `title` and `body` are
required. Keys the archive computes itself (`id`, `uid`, `first_seen_at`, ...) are ignored, so
a row read back from the archive or an export can be written again. Any other key is kept,
JSON-encoded, in the `extra` column: nothing a caller sends is silently lost.

Everything is checked before the first byte is written, so a bad record leaves the archive as
it was and the error names the record's url and the field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from archive.errors import WartaError
from archive.instants import iso, parse_instant, to_utc

#: Hex characters of sha256(url) kept as the stable article id. 16 (64 bits) keeps the id short
#: enough to read aloud and cite; the chance of any collision among ten million articles is
#: about 3 in a million.
UID_HEX_CHARS = 16

TEXT = "text"
INT = "int"
LIST = "list"
INSTANT = "instant"

#: Known record keys -> kind. Order is the column order of the `articles` table.
FIELDS: dict[str, str] = {
    "url": TEXT,
    "source": TEXT,
    "title": TEXT,
    "body": TEXT,
    "published_at": INSTANT,
    "published_raw": TEXT,
    "published_precision": TEXT,
    "modified_at": INSTANT,
    "dateline": TEXT,
    "authors": LIST,
    "editor": TEXT,
    "reporter": TEXT,
    "signoff": TEXT,
    "signoff_raw": TEXT,
    "signoff_codes": LIST,
    "section": TEXT,
    "tags": LIST,
    "language": TEXT,
    "fetched_at": INSTANT,
    "fetched_url": TEXT,
    "http_status": INT,
    "word_count": INT,
    "content_hash": TEXT,
    "body_status": TEXT,
}
REQUIRED = ("url", "source", "title", "body")

#: What `published_precision` may say about `published_at`: the page gave a time of day; only
#: the day (the instant is midnight in the outlet's zone, a placeholder); or a relative form
#: (`2 jam lalu`) read against the fetch time (approximate). Absent: not known (no date, or
#: archived before warta recorded it).
PUBLISHED_PRECISIONS = ("time", "day", "relative")

#: How whole an article's body is: `ok`; `short` (the crawler read fewer words than its
#: bound, `crawler.pipelines.SHORT_BODY_WORDS`); `missing` (an article page with a title and
#: a date whose body could not be read: the body is empty); `incomplete` (a multi-page article
#: archived with a part that could not be read: its `provenance` `parts` names it, migration
#: 12). Absent from a record: `missing`
#: when its body is blank, else `ok` (the archive does not count words for `short`). The
#: status follows from the body, so it is not part of `content_hash`: the hash of an `ok`
#: article is what it always was, and a later read that finds the body changes the hash, so
#: the row is updated (`ok`) and the empty or short text kept as a version.
BODY_STATUSES = ("ok", "short", "missing", "incomplete")

#: Keys the archive computes or that only exist when reading; ignored on write.
COMPUTED = frozenset({
    "id", "uid", "published_utc", "published_date", "published_offset", "first_seen_at",
    "last_seen_at", "changed_at", "crawl_id", "versions", "version_count", "source_name",
    "region", "timezone", "homepage", "snippet", "rank", "extra",
})


def article_uid(url: str) -> str:
    """The stable id of an article: a short hash of its canonical URL, the same in every
    archive built from the same pages."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:UID_HEX_CHARS]


def content_hash(title: str, body: str) -> str:
    """sha256 of the title and body, the test for "did this article change?". The crawler
    may compute it itself with this function; the archive computes it when a record has none."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


#: Letters in one editor's code of a sign-off (`han`, `rz`, `k8`, up to an agency's `Reuters`,
#: as the crawler reads them); a longer piece, or one of several words, names a desk or office
#: (`diskominfo kaltim`, `humasprov`), not a person.
SIGNOFF_CODE_MAX_CHARS = 8

#: Pieces of a sign-off that mark the copy, not who wrote or edited it: `*` (material from
#: other sources or a press release, `*/han`) and the advertorial and press-release marks
#: (`adv/rz`, `Adv`, `rls/humas pemkot`).
SIGNOFF_MARKS = frozenset({"*", "adv", "advertorial", "rls", "rilis", "hms"})

_SIGNOFF_CODE = re.compile(r"\**[A-Za-z][A-Za-z0-9*]*")


def signoff_codes(signoff: str | None) -> list[str]:
    """The editors' codes of a sign-off as printed, in order: `*/han` -> `han`, `adv/rz` ->
    `rz`, `ant/kpl` -> `ant`, `kpl`; `Adv`, `*` -> none; a desk or office closing it
    (`rus/ky/diskominfo kaltim`) is not a code. Works on the stored form too (`han`, from
    archives before the printed form was kept)."""
    if not signoff:
        return []
    codes: list[str] = []
    for piece in signoff.split("/"):
        piece = piece.strip()
        if (piece.lower() in SIGNOFF_MARKS or len(piece) > SIGNOFF_CODE_MAX_CHARS
                or not _SIGNOFF_CODE.fullmatch(piece)):
            continue
        codes.append(piece)
    return codes


class Related(NamedTuple):
    """One related headline of an article, in page order."""

    url: str
    title: str | None
    block: str | None
    position: int | None


#: The `articles` table's data columns as written (the archive adds id and the
#: first/last-seen, changed_at and crawl_id bookkeeping). In the table itself they are in this
#: order except `published_precision`, `body_status`, `signoff_raw` and `signoff_codes`, added
#: by migrations 4, 5 and 6 after `body`.
ARTICLE_COLUMNS = (
    "uid", "url", "source", "title", "body", "published_at", "published_utc", "published_date",
    "published_raw", "published_precision", "modified_at", "dateline", "authors", "editor",
    "reporter", "signoff", "section", "tags", "language", "fetched_at", "fetched_url",
    "http_status", "word_count", "content_hash", "body_stage", "date_stage", "provenance",
    "extra", "body_status", "signoff_raw", "signoff_codes",
)


@dataclass
class Prepared:
    """One record checked and ready for the `articles` table."""

    url: str
    source: str
    content_hash: str
    row: tuple[Any, ...]  # values in ARTICLE_COLUMNS order
    related: list[Related] | None = None  # None: the record said nothing about related links


_TEXT_KEYS = tuple(k for k, kind in FIELDS.items() if kind == TEXT)
_INT_KEYS = tuple(k for k, kind in FIELDS.items() if kind == INT)
_LIST_KEYS = tuple(k for k, kind in FIELDS.items() if kind == LIST)
_INSTANT_KEYS = tuple(k for k, kind in FIELDS.items() if kind == INSTANT)
_NOT_EXTRA = frozenset(FIELDS) | COMPUTED | {"related", "provenance", "body_stage", "date_stage",
                                             "checks", "captures"}  # archive.captures


def _fail(url: Any, key: str, why: str) -> WartaError:
    where = f"article {url!r}" if isinstance(url, str) and url else "an article record"
    return WartaError(f"{where}: field {key!r} {why}")


def _text(url: Any, key: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(url, key, f"must be text, not {type(value).__name__}")
    return value


def _strings(url: Any, key: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise _fail(url, key, f"must be a list of text, not {type(value).__name__}")
    for item in value:
        if not isinstance(item, str):
            raise _fail(url, key, f"must hold only text, found {type(item).__name__}")
    return list(value)


def _int(url: Any, key: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(url, key, f"must be a whole number, not {type(value).__name__}")
    return value


def _related(url: str, value: Any) -> list[Related]:
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        raise _fail(url, "related", "must be a list of {url, title, block, position}")
    out: list[Related] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise _fail(url, "related", f"item {index} must be a mapping with a url")
        target = item.get("url")
        if type(target) is not str or not target.strip():
            raise _fail(url, "related", f"item {index} has no url")
        if target in seen:  # the same headline twice on one page counts once
            continue
        seen.add(target)
        title, block, position = item.get("title"), item.get("block"), item.get("position")
        if position is None:
            position = index
        if not (type(title) is str or title is None) or not (type(block) is str or block is None):
            raise _fail(url, "related", f"item {index}: title and block must be text")
        if type(position) is not int:
            raise _fail(url, "related", f"item {index}: position must be a whole number")
        out.append(Related(target, title, block, position))
    return out


def prepare(record: Mapping[str, Any]) -> Prepared:
    """Check one record and compute its stored form; raise WartaError on the first problem."""
    if not isinstance(record, Mapping):
        raise WartaError(f"an article record must be a mapping (dict), not {type(record).__name__}")
    url = record.get("url")
    for key in REQUIRED:
        value = record.get(key)
        if not isinstance(value, str) or (key != "body" and not value.strip()):
            raise _fail(url, key, "is required and must be non-empty text")
    assert isinstance(url, str)

    get = record.get
    columns: dict[str, Any] = {}
    for key in _TEXT_KEYS:
        value = get(key)
        columns[key] = value if value is None or type(value) is str else _text(url, key, value)
    for key in _INT_KEYS:
        value = get(key)
        columns[key] = value if value is None or type(value) is int else _int(url, key, value)
    for key in _LIST_KEYS:
        columns[key] = json.dumps(_strings(url, key, get(key)), ensure_ascii=False)
    if get("signoff_codes") is None and columns["signoff"]:
        # a record that gives only the sign-off (a library caller, an older export)
        columns["signoff_codes"] = json.dumps(signoff_codes(columns["signoff"]),
                                              ensure_ascii=False)
    published: dt.datetime | None = None
    for key in _INSTANT_KEYS:
        text = _text(url, key, get(key))
        if text is None or not text.strip():
            columns[key] = None
            continue
        try:
            instant = parse_instant(text)
        except ValueError as exc:
            raise _fail(url, key, f"{text!r} does not parse ({exc}); give ISO 8601 "
                                  "with an offset, e.g. 2023-05-23T10:15:00+08:00") from None
        columns[key] = iso(instant)
        if key == "published_at":
            published = instant

    precision = columns["published_precision"]
    if precision is not None and not precision.strip():
        precision = columns["published_precision"] = None  # an empty CSV cell: not known
    if precision is not None and precision not in PUBLISHED_PRECISIONS:
        raise _fail(url, "published_precision", "must be one of "
                    f"{', '.join(PUBLISHED_PRECISIONS)}, or absent when not known; "
                    f"got {precision!r}")
    if precision is not None and published is None:
        raise _fail(url, "published_precision", f"is {precision!r} but the record has no "
                    "published_at; leave it out when there is no date")
    if published is not None:
        columns["published_utc"] = to_utc(published)
        columns["published_date"] = published.date().isoformat()
    else:
        columns["published_utc"] = columns["published_date"] = None
    blank = not columns["body"].strip()
    status = columns["body_status"]
    if status is not None and not status.strip():
        status = None  # an empty CSV cell: not given
    if status is None:
        status = "missing" if blank else "ok"
    elif status not in BODY_STATUSES:
        raise _fail(url, "body_status", f"must be one of {', '.join(BODY_STATUSES)}; "
                    f"got {status!r}")
    elif (status == "missing") != blank:
        raise _fail(url, "body_status", f"is {status!r} but the body is "
                    f"{'empty' if blank else 'not empty'}; 'missing' is for an empty body only")
    columns["body_status"] = status
    if columns["word_count"] is None:
        columns["word_count"] = len(columns["body"].split())
    digest = columns["content_hash"] or content_hash(columns["title"], columns["body"])
    columns["content_hash"] = digest

    provenance_raw = get("provenance")
    provenance: dict[str, str] = {}
    if provenance_raw is not None:
        if not isinstance(provenance_raw, Mapping):
            raise _fail(url, "provenance", "must be a mapping of field name -> stage name")
        for key, stage in provenance_raw.items():
            if not isinstance(stage, str):
                raise _fail(url, "provenance", f"stage of {key!r} must be text")
            provenance[str(key)] = stage
    columns["provenance"] = json.dumps(provenance, ensure_ascii=False, sort_keys=True)
    # a missing body has no stage: its provenance says why (`missing: ...`)
    columns["body_stage"] = None if status == "missing" else provenance.get(
        "body", _text(url, "body_stage", get("body_stage")))
    columns["date_stage"] = provenance.get(
        "published_at", _text(url, "date_stage", get("date_stage")))

    extra = {k: v for k, v in record.items() if k not in _NOT_EXTRA}
    columns["extra"] = (json.dumps(extra, ensure_ascii=False, sort_keys=True, default=str)
                        if extra else None)
    columns["uid"] = article_uid(url)

    related = _related(url, record["related"]) if "related" in record else None
    return Prepared(url=url, source=columns["source"], content_hash=digest,
                    row=tuple(columns[c] for c in ARTICLE_COLUMNS), related=related)
