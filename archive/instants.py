"""Dates and times as the archive keeps them, and the `--since/--until` option values.

Every instant warta stores carries its UTC offset (ISO 8601, e.g. `2023-05-23T10:15:00+08:00`
for WITA). Filters accept either a calendar day (`2023-05-23`) or an exact instant with an
offset; the two mean different things, on purpose:

- a day is the day as the outlet printed it (the local date of `published_at`), so
  `--since 2023-01-01` keeps a WITA article of 1 January 00:30 even though it is still
  31 December in UTC;
- an instant is compared in UTC with the article's publication instant.

`DATE` is a click parameter type that the crawler's commands reuse for their own `--since`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import click

from archive.errors import UsageError

UTC = dt.UTC

#: How an accepted option value looks, quoted in every error message about one.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

DATE_FORMS = "YYYY-MM-DD or an ISO 8601 time with its offset, e.g. 2023-05-23T10:15:00+08:00"


def now_utc() -> str:
    """The current instant as stored in the archive (UTC, whole seconds)."""
    return dt.datetime.now(UTC).isoformat(timespec="seconds")


def parse_instant(value: str) -> dt.datetime:
    """Parse an ISO 8601 date-time that carries an offset (`Z` allowed).

    Raises ValueError with a reason when the text is not such a value; callers add what to do.
    """
    text = value.strip()
    if not text:
        raise ValueError("it is empty")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("it is not an ISO 8601 date-time") from None
    if len(text) <= 10:
        # fromisoformat() turns a bare date into midnight; an instant needs a time.
        raise ValueError("it has a date but no time")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("it has no UTC offset; add one, e.g. +08:00 for WITA")
    return parsed


def iso(value: dt.datetime) -> str:
    """An aware datetime as the archive writes it: ISO 8601, offset kept, no microseconds
    unless the value has them."""
    return value.isoformat()


def to_utc(value: dt.datetime) -> str:
    """The UTC form used for ordering and instant filters (sorts as text)."""
    return value.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class DateBound:
    """One end of a date range: a calendar `day` or an exact `instant` (aware), never both."""

    day: dt.date | None = None
    instant: dt.datetime | None = None

    def __post_init__(self) -> None:
        if (self.day is None) == (self.instant is None):
            raise ValueError("a DateBound holds exactly one of day or instant")
        if self.instant is not None and self.instant.utcoffset() is None:
            raise ValueError("a DateBound instant must carry a UTC offset")

    def start(self, tz: dt.tzinfo = UTC) -> dt.datetime:
        """The first instant the bound admits; a day starts at midnight in `tz`."""
        if self.instant is not None:
            return self.instant
        assert self.day is not None
        return dt.datetime.combine(self.day, dt.time(0), tz)

    def end(self, tz: dt.tzinfo = UTC) -> dt.datetime:
        """The last instant the bound admits; a day ends just before the next midnight in `tz`."""
        if self.instant is not None:
            return self.instant
        assert self.day is not None
        return dt.datetime.combine(self.day, dt.time.max, tz)

    def __str__(self) -> str:
        return self.day.isoformat() if self.day is not None else iso(self.instant)  # type: ignore[arg-type]


def parse_date_bound(value: str | dt.date | dt.datetime | DateBound,
                     option: str = "--since") -> DateBound:
    """Turn an option value into a DateBound, or raise UsageError naming `option`."""
    if isinstance(value, DateBound):
        return value
    if isinstance(value, dt.datetime):
        if value.utcoffset() is None:
            raise UsageError(f"{option}: the datetime {value.isoformat()} has no UTC offset; "
                             "give an aware datetime (tzinfo set)")
        return DateBound(instant=value)
    if isinstance(value, dt.date):
        return DateBound(day=value)
    text = str(value).strip()
    if _DAY.fullmatch(text):
        try:
            return DateBound(day=dt.date.fromisoformat(text))
        except ValueError as exc:  # e.g. "month must be in 1..12"
            raise UsageError(
                f"{option}: {text!r} is not a date ({exc}); use {DATE_FORMS}") from None
    try:
        return DateBound(instant=parse_instant(text))
    except ValueError as exc:
        raise UsageError(f"{option}: {text!r} is not a date ({exc}); use {DATE_FORMS}") from None


class DateParamType(click.ParamType):
    """click type for `--since/--until`: a calendar day or an instant with offset."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> DateBound:
        option = param.opts[0] if param is not None and param.opts else "date"
        try:
            return parse_date_bound(value, option)
        except UsageError as exc:
            # click prefixes "Invalid value for '--since': "; keep only the reason.
            self.fail(str(exc).split(": ", 1)[1], param, ctx)


DATE = DateParamType()
