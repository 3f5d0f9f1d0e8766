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

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from archive.dates import iso, parse_instant, to_utc
from archive.errors import WartaError

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
    "modified_at": INSTANT,
    "dateline": TEXT,
    "authors": LIST,
    "editor": TEXT,
    "reporter": TEXT,
    "signoff": TEXT,
    "section": TEXT,
    "tags": LIST,
    "language": TEXT,
    "fetched_at": INSTANT,
    "fetched_url": TEXT,
    "http_status": INT,
    "word_count": INT,
    "content_hash": TEXT,
}
REQUIRED = ("url", "source", "title", "body")

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


@dataclass
class Related:
    url: str
    title: str | None
    block: str | None
    position: int | None


@dataclass
class Prepared:
    """One record checked and ready for the `articles` table."""

    url: str
    uid: str
    source: str
    content_hash: str
    columns: dict[str, Any]
    related: list[Related] | None = None  # None: the record said nothing about related links
    provenance: dict[str, str] = field(default_factory=dict)


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
        if not isinstance(target, str) or not target.strip():
            raise _fail(url, "related", f"item {index} has no url")
        if target in seen:  # the same headline twice on one page counts once
            continue
        seen.add(target)
        position = item.get("position")
        out.append(Related(
            url=target,
            title=_text(url, "related.title", item.get("title")),
            block=_text(url, "related.block", item.get("block")),
            position=_int(url, "related.position", index if position is None else position),
        ))
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

    columns: dict[str, Any] = {}
    for key, kind in FIELDS.items():
        value = record.get(key)
        if kind == TEXT:
            columns[key] = _text(url, key, value)
        elif kind == INT:
            columns[key] = _int(url, key, value)
        elif kind == LIST:
            columns[key] = json.dumps(_strings(url, key, value), ensure_ascii=False)
        else:  # INSTANT
            text = _text(url, key, value)
            if text is None or not text.strip():
                columns[key] = None
                continue
            try:
                columns[key] = iso(parse_instant(text))
            except ValueError as exc:
                raise _fail(url, key, f"{text!r} does not parse ({exc}); give ISO 8601 "
                                      "with an offset, e.g. 2023-05-23T10:15:00+08:00") from None

    published = columns["published_at"]
    if published is not None:
        instant = parse_instant(published)
        columns["published_utc"] = to_utc(instant)
        columns["published_date"] = instant.date().isoformat()
    else:
        columns["published_utc"] = columns["published_date"] = None
    if columns["word_count"] is None:
        columns["word_count"] = len(columns["body"].split())
    digest = columns["content_hash"] or content_hash(columns["title"], columns["body"])
    columns["content_hash"] = digest

    provenance_raw = record.get("provenance")
    provenance: dict[str, str] = {}
    if provenance_raw is not None:
        if not isinstance(provenance_raw, Mapping):
            raise _fail(url, "provenance", "must be a mapping of field name -> stage name")
        for key, stage in provenance_raw.items():
            if not isinstance(stage, str):
                raise _fail(url, "provenance", f"stage of {key!r} must be text")
            provenance[str(key)] = stage
    columns["provenance"] = json.dumps(provenance, ensure_ascii=False, sort_keys=True)
    columns["body_stage"] = provenance.get(
        "body", _text(url, "body_stage", record.get("body_stage")))
    columns["date_stage"] = provenance.get(
        "published_at", _text(url, "date_stage", record.get("date_stage")))

    extra = {k: v for k, v in record.items()
             if k not in FIELDS and k not in COMPUTED
             and k not in ("related", "provenance", "body_stage", "date_stage")}
    columns["extra"] = (json.dumps(extra, ensure_ascii=False, sort_keys=True, default=str)
                        if extra else None)

    related = _related(url, record["related"]) if "related" in record else None
    return Prepared(url=url, uid=article_uid(url), source=columns["source"],
                    content_hash=digest, columns=columns, related=related, provenance=provenance)
