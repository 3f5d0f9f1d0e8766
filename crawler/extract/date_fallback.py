"""The last stages of the publication-date chain, for generic pages (`core.extract_published`
runs first; these run after it, on its result).

1. `outlet_zone_unknown`: without an outlet profile the zone warta writes instants in is a
   guess (WIB). An Indonesian page keeps it, but on a page that is clearly not Indonesian a UTC
   instant from the markup (`2023-04-28T17:52:31Z`) stays in UTC instead of being moved to
   +07:00, which would print it on the next day for anything published after 17:00 UTC. The
   instant is the same either way; only the day as printed changes. When the markup also
   declares that same instant with the publisher's own offset (`2023-11-09T01:09:55Z` in
   JSON-LD, `2023-11-08T18:09:55-07:00` in `article:published_time` or a `<time>`), the
   instant is written in that offset (`in_declared_offset`): the day its readers saw.
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
from datetime import UTC, date, datetime, tzinfo
from typing import Any

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


_DECLARED_INSTANT = re.compile(
    r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:\.\d{1,6})?[+-](?!00:?00)\d{2}:?\d{2}\b"
)
"""An ISO instant with a non-UTC offset, anywhere in the markup (meta, JSON-LD, `<time
datetime>`, a script's data)."""
SAME_INSTANT_SECONDS = 1
"""Two declared instants are the same one when this close (values drop milliseconds)."""


def in_declared_offset(published_at: str, html: str) -> str | None:
    """`published_at` (an instant written in UTC) in the offset the page declares for that
    same instant elsewhere in its markup, else None. Only the same instant counts: a
    modification time or another article's date in another offset says nothing."""
    try:
        value = datetime.fromisoformat(published_at)
    except ValueError:
        return None
    for match in _DECLARED_INSTANT.finditer(html):
        try:
            declared = datetime.fromisoformat(match.group())
        except ValueError:
            continue
        if abs((declared - value).total_seconds()) < SAME_INSTANT_SECONDS:
            return value.astimezone(declared.tzinfo).isoformat()
    return None


def utc_as_written(published_at: str, raw: str | None) -> str | None:
    """`published_at` written in UTC again when its raw value is that same instant in UTC
    (`...Z`, `+00:00`), else None."""
    if not raw:
        return None
    try:
        written = datetime.fromisoformat(raw.strip())
        value = datetime.fromisoformat(published_at)
    except ValueError:
        return None
    if written.tzinfo is None or written.utcoffset() or abs((written - value).total_seconds()) >= 1:
        return None  # (the value drops the raw's milliseconds)
    return value.astimezone(UTC).isoformat()


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
) -> tuple[str | None, str | None, str | None]:
    """Hook at the end of the date chain: `chosen` is `(published_at, published_raw,
    published_precision)` from `core.extract_published`; returns it, changed by the stages of
    the module doc."""
    published_at, raw, precision = chosen
    if published_at is not None:
        stage = ctx.provenance.get("published_at")
        if (
            ctx.profile is None
            and stage in MACHINE_STAGES
            and not is_indonesian(body, ctx.structured.html_lang)
        ):
            in_utc = utc_as_written(published_at, raw)
            if in_utc is not None:
                return in_declared_offset(in_utc, html) or in_utc, raw, precision
        return chosen
    day = htmldate_day(html, ctx.url)
    if day is None:
        return chosen
    zone: tzinfo = ctx.tz
    value = datetime(day.year, day.month, day.day, tzinfo=zone)
    ctx.provenance["published_at"] = STAGE
    return value.isoformat(), day.isoformat(), "day"
