"""When an archived article is read again: the refresh schedule, and the crawl's clock.

Outlets correct their stories in the first hours and days after publication, rarely later. So
an article is checked again a few times in its life, at fixed ages counted from its
publication (`DEFAULT_HOURS`: 1 h, 6 h, 24 h and 72 h), and after the last of them only when a
sitemap `lastmod` or a feed's updated date says it changed (`incremental.decide`, rule
`changed`). Each read (a full page or a `304 Not Modified`) stores in the archive when the
article is next due (`article_checks.next_check_at`): the first scheduled age that is still
ahead; none when they have all passed. An hourly crawl then re-checks only what is due, and
re-checks are conditional (`If-None-Match` / `If-Modified-Since`), so an unchanged article
costs one short request and no parse, no write beyond its `last_seen_at`.

The ages are `WARTA_REFRESH_HOURS` (default `1,6,24,72`), or a profile's `[refresh] hours`.
Why these: each check roughly triples the age of the one before, so an hourly crawl spends
four requests per article, against the 48 of re-reading every article of the last two days
each hour; 72 h covers the corrections made after a weekend. `warta crawl --refresh MODE`:

- `due` (default): articles whose next check is due (`WARTA_REFRESH = "due"`);
- `all`: every archived article the crawl finds is checked again (conditionally);
- `none`: no scheduled check; only new articles, and those a sitemap or feed says changed.

An article archived before the schedule existed (no `article_checks` row) is due when one of
its ages falls between the last time warta read it and now, if it is still younger than the
last age (so an upgraded archive of years is not read again whole).

`WARTA_NOW` sets the crawl's clock (an ISO 8601 instant with its offset): the crawl then runs
as if it started then, for schedule simulations (`bench/hourly.py`) and tests; its times in
the archive follow that clock.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from email.utils import parsedate_to_datetime
from typing import Any

HOUR = 3600.0

DEFAULT_HOURS: tuple[float, ...] = (1.0, 6.0, 24.0, 72.0)
"""Ages, in hours after publication, at which an archived article is checked again."""

MAX_CHECKS = 24
"""At most this many ages in a schedule: more is a typo or a misunderstanding (an article
checked every hour for ever is what `--refresh all` does)."""

MAX_HOURS = 24.0 * 366 * 5
"""The latest age a schedule may name: five years."""

MODES = ("due", "all", "none")

article_not_modified = object()
"""Scrapy signal: an archived article answered `304 Not Modified` to a conditional re-check
(arguments `source`, `url`: its canonical URL, `checks`: its validators and next check). The
archive pipeline notes the read."""


def parse_hours(value: Any) -> tuple[float, ...]:
    """A schedule: a list of numbers, or text `1,6,24,72`; ValueError says what is wrong."""
    if isinstance(value, str):
        parts: Sequence[Any] = [p.strip() for p in value.split(",") if p.strip()]
    elif isinstance(value, list | tuple):
        parts = value
    else:
        raise ValueError(f"expected a list of hours after publication such as [1, 6, 24, 72], "
                         f"got {value!r}")
    hours: list[float] = []
    for part in parts:
        try:
            if isinstance(part, bool):
                raise ValueError
            number = float(part)
        except (TypeError, ValueError):
            raise ValueError(f"{part!r} is not a number of hours (e.g. 1, 6, 24, 72)") from None
        if not 0 < number <= MAX_HOURS or math.isnan(number):
            raise ValueError(f"{part!r}: each age must be above 0 and at most {MAX_HOURS:g} "
                             "hours")
        hours.append(number)
    if len(hours) > MAX_CHECKS:
        raise ValueError(f"at most {MAX_CHECKS} ages, got {len(hours)}")
    if hours != sorted(set(hours)):
        raise ValueError("the ages must grow, each once (e.g. 1, 6, 24, 72)")
    return tuple(hours)


def next_check(anchor: float, after: float, hours: Iterable[float]) -> float | None:
    """The first scheduled check of an article published (or first archived) at `anchor` that
    is later than `after` (POSIX seconds); None when every age has passed."""
    for age in hours:
        when = anchor + age * HOUR
        if when > after:
            return when
    return None


FUTURE_SLACK = 60.0
"""A `Last-Modified` this many seconds past the crawl's clock is still taken (clocks differ a
little); later, it is a wrong date and is not sent back (`conditional/future_last_modified`)."""


def http_date_ts(value: str | None) -> float | None:
    """An HTTP date (`Last-Modified`) as a POSIX timestamp; None when it does not parse."""
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    try:
        return when.timestamp()
    except (OverflowError, ValueError, OSError):
        return None


def parse_now(value: str | None) -> dt.datetime | None:
    """`WARTA_NOW` as an aware datetime (None: the real clock); ValueError when it is not an
    ISO 8601 instant with an offset."""
    if value is None or not str(value).strip():
        return None
    when = dt.datetime.fromisoformat(str(value).strip())
    if when.tzinfo is None:
        raise ValueError("it has no UTC offset; add one, e.g. +08:00")
    return when


class Clock:
    """The crawl's clock: the real one, or shifted so that the crawl starts at `WARTA_NOW`
    (and runs on from there at the real pace)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.offset = (start - dt.datetime.now(dt.UTC)) if start is not None else dt.timedelta()

    @classmethod
    def from_settings(cls, settings: Any) -> Clock:
        return cls(parse_now(settings.get("WARTA_NOW")))

    @property
    def simulated(self) -> bool:
        return bool(self.offset)

    def now(self) -> dt.datetime:
        """Now in UTC, to the second."""
        return (dt.datetime.now(dt.UTC) + self.offset).replace(microsecond=0)

    def iso(self) -> str | None:
        """Now as the archive records it, or None for the real clock (the archive's own)."""
        return self.now().isoformat() if self.simulated else None
