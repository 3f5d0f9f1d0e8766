"""The last stages of the publication-date chain, for generic pages (`core.extract_published`
runs first; these run after it, on its result).

1. `outlet_zone_unknown`: without an outlet profile the zone warta writes instants in is a
   guess (WIB). An Indonesian page keeps it, but on a page that is clearly not Indonesian a UTC
   instant from the markup (`2023-04-28T17:52:31Z`) stays in UTC instead of being moved to
   +07:00, which would print it on the next day for anything published after 17:00 UTC. The
   instant is the same either way; only the day as printed changes. When the markup also
   declares that same instant with the publisher's own offset (`2023-11-09T01:09:55Z` in
   JSON-LD, `2023-11-08T18:09:55-07:00` in `article:published_time` or a `<time>`), the
   instant is written in that offset (`in_declared_offset`; also an RFC 2822 value of
   another reading, `Sat, 19 Oct 2019 00:04:00 +0200`): the day its readers saw. Else, when
   the date line by the title shows a time without a zone whose wall clock is the instant's
   in a whole UTC offset (`Nov 8, 2023 / 10:35 PM` beside `06:35:29Z`), the instant is
   written in that offset (`in_shown_offset`). UTC is not kept when it would print another
   day than the date line shows and the outlet's zone prints that day.
2. `htmldate_day`: when no Indonesian date rule, no structured date, no URL date and no
   `Selasa (23/5)` mention fired, htmldate (a proven, maintained date library: markup, URL,
   text patterns, with its own plausibility checks) is asked for the original publication
   day, imported only then. Its stage is `htmldate`, its precision `day`: `published_at` is
   midnight in the outlet's zone, a placeholder, as for warta's own day-only stages.

warta's own chains keep priority wherever they fire: minute precision, WIB/WITA/WIT, year-less
Indonesian dates and relative dates are never replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any

from crawler.extract.dates import ParsedDate
from crawler.extract.indonesian import guess_language

STAGE = "htmldate"
"""The provenance stage of a date htmldate gave."""

MACHINE_STAGES = frozenset({"jsonld", "opengraph", "meta", "microdata", "time"})
"""Stages whose value is an instant written in markup (not a date shown to readers)."""

INDONESIAN = frozenset({"id", "in"})
"""Language codes of Indonesian (`in` is the old ISO 639 code some templates still declare)."""


def is_indonesian(body: str | None, declared: str | None) -> bool:
    """The body's function words say Indonesian, or they say nothing clear and the page
    declares Indonesian (`<html lang="id">`); a page with neither is not."""
    guessed = guess_language(body) if body else None
    if guessed is not None:
        return guessed == "id"
    code = (declared or "").replace("_", "-").split("-")[0].lower()
    return code in INDONESIAN


_DECLARED_TIME = re.compile(r"T\d{2}:\d{2}(?::\d{2})?(?:\.\d{1,6})?[+-](?!00:?00)\d{2}:?\d{2}\b")
"""The time and non-UTC offset of an ISO instant, anywhere in the markup (meta, JSON-LD,
`<time datetime>`, a script's data); its day (`_DECLARED_DAY`) is checked just before it.
The pattern opens with a literal `T`, so the scan skips ahead instead of trying every
position of the page (a hundred times faster than a pattern opening with the year)."""
_DECLARED_DAY = re.compile(r"(?<!\w)\d{4}-\d{2}-\d{2}")
DAY_CHARS = 10
"""`2023-11-08`."""
SAME_INSTANT_SECONDS = 1
"""Two declared instants are the same one when this close (values drop milliseconds)."""


def in_declared_offset(
    published_at: str, html: str, others: Iterable[str] = ()
) -> str | None:
    """`published_at` (an instant written in UTC) in the offset the page declares for that
    same instant elsewhere in its markup (an ISO instant anywhere, or one of `others`, the
    raw values of the page's other date readings: `Sat, 19 Oct 2019 00:04:00 +0200` in a
    meta), else None. Only the same instant counts: a modification time or another
    article's date in another offset says nothing."""
    try:
        value = datetime.fromisoformat(published_at)
    except ValueError:
        return None
    for raw in others:
        other = _written(raw) if raw else None
        if other is None or other.tzinfo is None or not other.utcoffset():
            continue
        if abs((other - value).total_seconds()) < SAME_INSTANT_SECONDS:
            return value.astimezone(other.tzinfo).isoformat()
    for match in _DECLARED_TIME.finditer(html):
        start = match.start() - DAY_CHARS
        if start < 0 or not _DECLARED_DAY.match(html, start, match.start()):
            continue
        try:
            declared = datetime.fromisoformat(html[start : match.end()])
        except ValueError:
            continue
        if abs((declared - value).total_seconds()) < SAME_INSTANT_SECONDS:
            return value.astimezone(declared.tzinfo).isoformat()
    return None


def _written(raw: str) -> datetime | None:
    """A machine value as written: ISO 8601, else RFC 2822 (`Wed, 28 Oct 2020 22:22:49 GMT`,
    `Sat, 19 Oct 2019 00:04:00 +0200`, common in JSON-LD and feeds)."""
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError):
        return None


def utc_as_written(published_at: str, raw: str | None) -> str | None:
    """`published_at` written in UTC again when its raw value is that same instant in UTC
    (`...Z`, `+00:00`, `GMT`), else None."""
    if not raw:
        return None
    written = _written(raw)
    try:
        value = datetime.fromisoformat(published_at)
    except ValueError:
        return None
    if written is None:
        return None
    if written.tzinfo is None or written.utcoffset() or abs((written - value).total_seconds()) >= 1:
        return None  # (the value drops the raw's milliseconds)
    return value.astimezone(UTC).isoformat()


MAX_OFFSET_MINUTES = 14 * 60
"""UTC offsets in use run from -12:00 to +14:00."""
_OFFSET_MINUTES = {2: (30,), 3: (30,), 4: (30,), 5: (30, 45), 6: (30,), 8: (45,), 9: (30,),
                   10: (30,), 12: (45,)}
"""UTC offsets in use that are not whole hours, by their hours (+05:45, +09:30, -03:30):
`-08:15` is no offset, so a shown clock 15 minutes off is another instant."""


def in_shown_offset(published_at: str, shown: ParsedDate | None) -> str | None:
    """`published_at` (a machine instant) written in the offset the page's own date line
    implies, else None: the page shows a time without a zone (`Nov 8, 2023 / 10:35 PM`)
    whose wall clock is the instant's to the minute in some UTC offset (`06:35:29Z` ->
    `-08:00`), so the publisher's offset is read off the page, not guessed, and the day
    printed is the day its readers saw. A shown clock equal to the UTC one says nothing
    (UTC, or local time mislabelled `Z`); minutes that differ mean another instant."""
    if shown is None or not shown.has_time or shown.has_zone or shown.relative:
        return None
    try:
        value = datetime.fromisoformat(published_at)
    except ValueError:
        return None
    if value.tzinfo is None:
        return None
    utc_clock = value.astimezone(UTC).replace(tzinfo=None, second=0, microsecond=0)
    shown_clock = shown.value.replace(tzinfo=None, second=0, microsecond=0)
    minutes = int((shown_clock - utc_clock).total_seconds() // 60)
    if not minutes or abs(minutes) > MAX_OFFSET_MINUTES:
        return None
    if minutes % 60 and abs(minutes) % 60 not in _OFFSET_MINUTES.get(abs(minutes) // 60, ()):
        return None
    return value.astimezone(timezone(timedelta(minutes=minutes))).isoformat()


def _moves_off_shown_day(rewritten: str, published_at: str, shown: ParsedDate | None) -> bool:
    """Whether writing the instant in UTC would print another day than the page's date line
    shows while the outlet's zone prints that day: the line is the readers' day, kept."""
    if shown is None or shown.relative:
        return False
    day = shown.value.date()
    return (datetime.fromisoformat(rewritten).date() != day
            and datetime.fromisoformat(published_at).date() == day)


def htmldate_day(html: str, url: str) -> date | None:
    """htmldate's original publication day of the page, or None (imported on first need)."""
    from htmldate import find_date

    try:
        found = find_date(html, url=url, original_date=True, extensive_search=True,
                          outputformat="%Y-%m-%d")
    except Exception:  # a failing fallback is no date, never a failed page
        return None
    if not found:
        return None
    try:
        return date.fromisoformat(found)
    except ValueError:
        return None


def review(
    ctx: Any,
    chosen: tuple[str | None, str | None, str | None],
    html: str,
    body: str | None,
    readings: Any = None,
) -> tuple[str | None, str | None, str | None]:
    """Hook at the end of the date chain: `chosen` is `(published_at, published_raw,
    published_precision)` from `core.extract_published`, `readings` its
    `published.DateReadings`; returns it, changed by the stages of the module doc."""
    published_at, raw, precision = chosen
    if published_at is not None:
        stage = ctx.provenance.get("published_at")
        if (
            ctx.profile is None
            and stage in MACHINE_STAGES
            and not is_indonesian(body, ctx.structured.html_lang)
        ):
            others = [r.parsed.raw for r in (readings.strong, readings.weak, readings.visible)
                      if r is not None] if readings is not None else []
            visible = readings.visible.parsed if readings and readings.visible else None
            in_utc = next((u for u in (utc_as_written(published_at, r) for r in [raw, *others])
                           if u is not None), None)  # `raw` may be the date line's text
            if in_utc is not None:
                declared = in_declared_offset(in_utc, html, others)
                if declared is not None:
                    return declared, raw, precision
            shown = in_shown_offset(in_utc or published_at, visible)
            if shown is not None:
                return shown, raw, precision
            if in_utc is not None and not _moves_off_shown_day(in_utc, published_at, visible):
                return in_utc, raw, precision
        return chosen
    day = htmldate_day(html, ctx.url)
    if day is None:
        return chosen
    zone: tzinfo = ctx.tz
    value = datetime(day.year, day.month, day.day, tzinfo=zone)
    ctx.provenance["published_at"] = STAGE
    return value.isoformat(), day.isoformat(), "day"
