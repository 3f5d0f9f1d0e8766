"""Dates as Indonesian news pages show them, read into exact instants.

Every result is a timezone-aware `datetime` plus the text it came from (`ParsedDate.raw`), so
the archive keeps both the normalized instant and the words on the page.

What is understood:

- machine forms (`parse_machine`): ISO 8601 and its sloppy variants seen in meta tags
  (`2015-11-05 T10:08:58Z`, `2017-02-17 13:30:08`), RFC 2822 (`Thu, 05 Nov 2015 14:56:43 +0700`);
- visible forms (`parse_date`): Indonesian (and English) month and day names with their
  abbreviations (`Mei`, `Agu`, `Agt`, `Okt`, `Nop`, `Des`, `Senin` ... `Minggu`, `Jum'at`),
  numeric dates (`23/05/2023`, `23-05-2023 10:15`, `2023-05-23`, `23/5` when nothing fuller
  is there), a weekday with a short numeric date (`Selasa (23/5)`, `Rabu (4/11/2015)`),
  times with `:` or `.` (`10.15 WITA`), zones `WIB` / `WITA` / `WIT` (UTC+7 / +8 / +9),
  `GMT+7`, `+07:00`, and relative forms (`2 jam lalu`, `5 menit yang lalu`, `kemarin 10:15`,
  `hari ini`, `baru saja`) read against the fetch time.

A time with no zone shown takes the outlet's zone (`tz`). A missing year comes from context
(`resolve_year`): a year hint from the page (the URL's date path, other dates on the page), the
weekday when one is shown, else the fetch time; never a date in the future of the fetch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Jakarta"
"""WIB, the national default, used when neither the page nor the outlet's profile gives a zone."""

ZONE_NAMES: dict[str, str] = {
    "WIB": "Asia/Jakarta",
    "WITA": "Asia/Makassar",
    "WIT": "Asia/Jayapura",
}
"""Indonesian zone abbreviations -> IANA zones (UTC+7, +8, +9; no daylight saving)."""

ZONE_ABBREVIATIONS: dict[str, int] = {
    "WET": 0, "WEST": 60, "CET": 60, "CEST": 120, "EET": 120, "EEST": 180, "MSK": 180,
    "ICT": 420, "SGT": 480, "MYT": 480, "PHT": 480, "HKT": 480, "AWST": 480,
    "JST": 540, "KST": 540, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
}
"""Zone abbreviations of other regions that machine dates carry (`Fri Apr 28 19:20:36 CEST
2023`, Java's `Date.toString()` in JSON-LD) -> minutes east of UTC. Only abbreviations that
name one offset: `IST`, `CST`, `BST` and `AST` each name several, and are left out (the
outlet's zone then applies, as for a date without one). The RFC 822 ones (`EST`, `PDT`, ...)
are read by `email.utils`."""

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "januari jan january",
        "februari feb pebruari peb february",
        "maret mar march",
        "april apr",
        "mei may",
        "juni jun june",
        "juli jul july",
        "agustus agu agt ags agust aug august",
        "september sep sept",
        "oktober okt oct october",
        "november nov nop nopember",
        "desember des dec december",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number
for _number, _names in enumerate(
    (
        "janvier janv januar jänner enero gennaio janeiro",
        "février févr februar febrero febbraio fevereiro",
        "mars märz marzo março maart",
        "avril abril aprile",
        "mai mayo maggio maio",
        "juin junio giugno junho",
        "juillet juil julio luglio julho",
        "août agosto augustus",
        "septembre settembre septiembre setembro",
        "octobre octubre ottobre outubro",
        "novembre noviembre novembro",
        "décembre déc dezember diciembre dicembre dezembro",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS.setdefault(_name, _number)
"""The month names of the European languages of generic pages (French, German, Spanish,
Italian, Portuguese, Dutch) after the Indonesian and English ones: `30 septembre 2018`,
`19. Mai 2010`, `2 de abril de 2020`."""

WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "senin sen monday mon",
        "selasa sel tuesday tue",
        "rabu rab wednesday wed",
        "kamis kam thursday thu",
        "jumat jum'at jum’at jum jumaat friday fri",
        "sabtu sab saturday sat",
        "minggu min ahad sunday sun",
    )
):
    for _name in _names.split():
        WEEKDAYS[_name] = _number

MAX_YEAR_LOOKBACK = 11
"""How many years back from the fetch time a weekday-checked short date (`Selasa (23/5)`) may
fall: weekday/day/month combinations repeat within 11 years, so the nearest match is unique."""

EARLIEST_YEAR = 1990
"""Dates before this are read as typos (`Rabu (4/11/205)`): the Indonesian web news era starts
in the mid-1990s."""

FUTURE_TOLERANCE = timedelta(days=1)
"""A parsed date may lie this far after the fetch time (zone slips, clock skew) before it is
read as a wrong year."""

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_DAY_ALT = "|".join(sorted((re.escape(d) for d in WEEKDAYS), key=len, reverse=True))
_ZONE = (
    r"(?P<zone>WITA|WIB|WIT|(?:GMT|UTC)\s*[+-]\s*\d{1,2}(?::?\d{2})?|[+-]\d{2}:?\d{2}|Z|UTC|GMT)"
)

_WEEKDAY_PREFIX = rf"(?:(?P<wday>{_DAY_ALT})\b\.?\s*,?\s*)?"
"""An optional weekday before a date (`Senin, `, `Sen. `): letters, a dot, a comma, spaces."""

_TEXT_CORE = (
    rf"(?<![\d.,])(?P<day>\d{{1,2}})\.?\s*(?:de\s+)?(?P<month>{_MONTH_ALT})\b\.?,?\s*"
    r"(?:de\s+)?(?P<year>\d{4})?"
)
_NUM_CORE = (
    r"(?<![\d/.-])(?P<day>\d{1,2})(?P<sep>[/.-]|\.\s(?=\d{1,2}\.\s\d{4}))(?P<month>\d{1,2})"
    r"(?P=sep)"
    r"(?P<year>\d{4}(?![\d/]|:\d)|\d{2}(?![\d/])|\d{2}(?=(?:[01]?\d|2[0-3]):[0-5]\d))"
)
"""`23/05/2023`, `23.05.23`, `4. 2. 2022` (spaced after the dots, as German typography sets
it; then with a four-digit year only); a two-digit year may run into the clock that follows it
when adjacent elements hold no space (`28.09.1912:44` is 28.09.19 at 12:44, not the year
1912)."""
_SHORT_CORE = r"(?<![\d/.,-])(?P<day>[0-3]?\d)/(?P<month>[01]?\d)(?![\d/])"
_PAREN_CORE = (
    r"\(\s*(?P<day>\d{1,2})\s*/\s*(?P<month>\d{1,2})(?:\s*/\s*(?P<year>\d{2,4}))?\s*\)"
)

_TEXT_DATE = re.compile(_WEEKDAY_PREFIX + _TEXT_CORE, re.IGNORECASE)
_TEXT_DATE_EN = re.compile(
    rf"{_WEEKDAY_PREFIX}(?P<month>{_MONTH_ALT})\b\.?\s+(?P<day>\d{{1,2}})"
    r"(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})",
    re.IGNORECASE,
)
_NUM_DATE = re.compile(_WEEKDAY_PREFIX + _NUM_CORE, re.IGNORECASE)
_ISO_DATE = re.compile(
    r"(?<![\d/.-])(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?![\d])"
)
_PAREN_DATE = re.compile(rf"(?P<wday>{_DAY_ALT})\b\s*" + _PAREN_CORE, re.IGNORECASE)
_SHORT_DATE = re.compile(_WEEKDAY_PREFIX + _SHORT_CORE, re.IGNORECASE)

# Searching the patterns above is slow where no date is: at every character the engine tries
# each weekday name of the optional prefix (10-23 us for a 34-character line, 80 us a line for
# all forms: most of what reading the date line by the title cost). Each form's part without
# the prefix starts with a digit (or, for the English form and the weekday-with-parentheses
# form, holds a telling run of digits), which the engine skips to cheaply; the full pattern is
# searched only where that part is found (`_search_dated`), or when a cheap necessary
# condition holds (`_TEXT_EN_HINT`, `_PAREN_HINT`). The matches are the full patterns' own.
_TEXT_CORE_RE = re.compile(_TEXT_CORE, re.IGNORECASE)
_NUM_CORE_RE = re.compile(_NUM_CORE, re.IGNORECASE)
_SHORT_CORE_RE = re.compile(_SHORT_CORE, re.IGNORECASE)
_PAREN_HINT = re.compile(_PAREN_CORE, re.IGNORECASE)
"""Every `_PAREN_DATE` match holds one of these (weekday-less) parentheses."""
_TEXT_EN_HINT = re.compile(r"\s\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}", re.IGNORECASE)
"""Every `_TEXT_DATE_EN` match holds this: the day and the year after the month name."""
_WEEKDAY_MAX = max(len(name) for name in WEEKDAYS)


def _search_dated(full: re.Pattern[str], core: re.Pattern[str], text: str,
                  ) -> re.Match[str] | None:
    """`full.search(text)`, for a pattern made of `_WEEKDAY_PREFIX` and a `core` that starts
    with a digit, searched only near the first match of `core`.

    Same match: the prefix is optional, so `full` matches where `core` first does, and no
    earlier match can end its prefix at a later digit (a prefix holds no digit). That match
    starts at most one weekday name and its separators (`\\.?\\s*,?\\s*`) before the digit;
    searching from there finds it (look-behinds and `\\b` still see the text before `pos`)."""
    first = core.search(text)
    if first is None:
        return None
    head = text[: first.start()].rstrip()
    if head.endswith(","):
        head = head[:-1].rstrip()
    if head.endswith("."):
        head = head[:-1]
    return full.search(text, max(0, len(head) - _WEEKDAY_MAX))


_TIME = re.compile(
    r"(?<![\d.,:/])(?P<hour>[01]?\d|2[0-3])[:.](?P<minute>[0-5]\d)"
    r"(?:[:.](?P<second>[0-5]\d))?(?![\d])\s*(?:(?P<ampm>[ap]\.?m\.?)\b)?\s*"
    + _ZONE
    + r"?(?![A-Za-z])",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"\b(?P<n>\d+|se|satu)\s*(?P<unit>detik|menit|jam|hari|minggu|pekan|bulan|tahun|"
    r"seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+(?:yang\s+)?"
    r"(?:lalu|silam|ago)\b",
    re.IGNORECASE,
)
_YESTERDAY = re.compile(r"\b(?:kemarin|yesterday)\b", re.IGNORECASE)
_TODAY = re.compile(r"\b(?:hari ini|today)\b", re.IGNORECASE)
_JUST_NOW = re.compile(r"\b(?:baru saja|just now|beberapa detik lalu)\b", re.IGNORECASE)
_RELATIVE_HINT = re.compile(r"lalu|silam|ago|baru saja|just now|kemarin|yesterday|hari ini|today")
"""One search instead of four where no relative form is: every match of `_RELATIVE`,
`_JUST_NOW`, `_YESTERDAY` or `_TODAY` holds one of these words. Searched in the lower-cased
text: a case-blind search of these alternatives was five times slower (~3 us a line)."""
_MACHINE = re.compile(
    r"^\s*(?P<year>\d{4})-?(?P<month>\d{2})-?(?P<day>\d{2})"
    r"(?:[T\s]+(?P<hour>\d{1,2}):?(?P<minute>\d{2})(?::?(?P<second>\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(?P<zone>Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?\s*$",
    re.IGNORECASE,
)

_UNIT_SECONDS = {
    "detik": 1,
    "second": 1,
    "sec": 1,
    "menit": 60,
    "minute": 60,
    "min": 60,
    "jam": 3600,
    "hour": 3600,
    "hr": 3600,
    "hari": 86400,
    "day": 86400,
    "minggu": 7 * 86400,
    "pekan": 7 * 86400,
    "week": 7 * 86400,
    "bulan": 30 * 86400,
    "month": 30 * 86400,
    "tahun": 365 * 86400,
    "year": 365 * 86400,
}


@dataclass(frozen=True)
class ParsedDate:
    """One date read from a page: the instant and what the page actually showed."""

    value: datetime
    """Timezone-aware instant (midnight in the zone when only a day was shown)."""
    raw: str
    """The text it was read from, as shown."""
    has_time: bool = False
    has_zone: bool = False
    """Whether the page showed the zone (else the outlet's zone was assumed)."""
    has_year: bool = True
    """Whether the page showed the year (else it came from context)."""
    relative: bool = False
    """Read relative to the fetch time (`2 jam lalu`)."""

    def iso(self) -> str:
        """ISO 8601 with the UTC offset, to the second."""
        return self.value.replace(microsecond=0).isoformat()


def zone(name: str | tzinfo | None) -> tzinfo:
    """A tzinfo from an IANA name, a `WIB`/`WITA`/`WIT` abbreviation or a tzinfo (None: WIB)."""
    if name is None:
        return ZoneInfo(DEFAULT_TIMEZONE)
    if isinstance(name, tzinfo):
        return name
    upper = name.strip().upper()
    if upper in ZONE_NAMES:
        return ZoneInfo(ZONE_NAMES[upper])
    return ZoneInfo(name.strip())


@lru_cache(maxsize=256)
def _zone_from_text(text: str) -> tzinfo | None:
    """`WIB`, `CEST`, `GMT+7`, `+07:00`, `Z` ... -> tzinfo; None when not a zone. Remembered: pages
    write the same few zones, read several times a page (tzinfo objects are immutable)."""
    token = text.strip().upper().replace(" ", "")
    if not token:
        return None
    if token in ZONE_NAMES:
        return ZoneInfo(ZONE_NAMES[token])
    if token in ("Z", "UTC", "GMT"):
        return UTC
    if token in ZONE_ABBREVIATIONS:
        return timezone(timedelta(minutes=ZONE_ABBREVIATIONS[token]))
    match = re.fullmatch(r"(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?", token)
    if not match:
        return None
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(delta if match.group(1) == "+" else -delta)


def _now(fetched_at: datetime | None) -> datetime:
    if fetched_at is None:
        return datetime.now(UTC)
    if fetched_at.tzinfo is None:
        return fetched_at.replace(tzinfo=UTC)
    return fetched_at


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def resolve_year(
    day: int,
    month: int,
    *,
    weekday: int | None = None,
    hints: Iterable[int] = (),
    fetched_at: datetime | None = None,
    tz: tzinfo | None = None,
) -> int | None:
    """The year of a day shown without one (`Selasa (23/5)`).

    Stages, first that fits wins: (1) a year hint from the page (URL date path, other dates)
    that gives a real date, matching the weekday when one is shown and not after the fetch;
    (2) with a weekday, the latest year not after the fetch whose day/month falls on it;
    (3) the fetch year, or the year before when that date would be in the future.
    """
    now = _now(fetched_at).astimezone(tz or zone(None))
    latest = (now + FUTURE_TOLERANCE).date()
    for year in hints:
        if not _valid(year, month, day):
            continue
        candidate = date(year, month, day)
        if candidate > latest:
            continue
        if weekday is None or candidate.weekday() == weekday:
            return year
    if weekday is not None:
        for year in range(now.year, now.year - MAX_YEAR_LOOKBACK - 1, -1):
            if _valid(year, month, day):
                candidate = date(year, month, day)
                if candidate <= latest and candidate.weekday() == weekday:
                    return year
    for year in (now.year, now.year - 1):
        if _valid(year, month, day) and date(year, month, day) <= latest:
            return year
    return None


def parse_machine(text: str | None, tz: str | tzinfo | None = None) -> ParsedDate | None:
    """ISO 8601 (and sloppy variants) or RFC 2822, as found in meta tags and JSON-LD.

    A value without a zone takes `tz` (the outlet's zone). A bare date is midnight in `tz`.
    """
    if not text:
        return None
    raw = text.strip()
    match = _MACHINE.match(raw)
    if match:
        year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
        if not _valid(year, month, day) or year < EARLIEST_YEAR:
            return None
        hour = int(match["hour"] or 0)
        minute = int(match["minute"] or 0)
        second = int(match["second"] or 0)
        if hour > 23 or minute > 59 or second > 59:
            return None
        shown = _zone_from_text(match["zone"]) if match["zone"] else None
        value = datetime(year, month, day, hour, minute, second, tzinfo=shown or zone(tz))
        return ParsedDate(
            value, raw, has_time=match["hour"] is not None, has_zone=shown is not None
        )
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if value is None or value.year < EARLIEST_YEAR:
        return None
    has_zone = value.tzinfo is not None
    if not has_zone:
        # a zone word email.utils does not know (`WITA`, `CEST`) is read here; else the
        # outlet's zone applies
        shown = _zone_word(raw)
        has_zone = shown is not None
        value = value.replace(tzinfo=shown or zone(tz))
    return ParsedDate(value, raw, has_time=True, has_zone=has_zone)


def _zone_word(raw: str) -> tzinfo | None:
    """The zone named by the last word of letters in a machine date that names one
    (`WITA`, `CEST`: `_zone_from_text`)."""
    for word in reversed(re.findall(r"\b[A-Za-z]{3,4}\b", raw)):
        shown = _zone_from_text(word)
        if shown is not None:
            return shown
    return None


def _time_in(text: str) -> re.Match[str] | None:
    return _TIME.search(text)


def _hour(match: re.Match[str]) -> int:
    hour = int(match["hour"])
    ampm = (match["ampm"] or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    return hour


def _find_date(text: str) -> tuple[re.Match[str], str] | None:
    """The first calendar date in `text`, by form; the earliest match in the text wins."""
    found: list[tuple[int, re.Match[str], str]] = []
    for kind, match in (
        ("text", _search_dated(_TEXT_DATE, _TEXT_CORE_RE, text)),
        ("text", _TEXT_DATE_EN.search(text) if _TEXT_EN_HINT.search(text) else None),
        ("paren", _PAREN_DATE.search(text) if _PAREN_HINT.search(text) else None),
        ("num", _search_dated(_NUM_DATE, _NUM_CORE_RE, text)),
        ("iso", _ISO_DATE.search(text)),
    ):
        if match:
            found.append((match.start("day"), match, kind))
    if not found:
        # `23/5` alone: the weakest form, used last
        match = _search_dated(_SHORT_DATE, _SHORT_CORE_RE, text)
        return (match, "num") if match else None
    found.sort(key=lambda item: item[0])
    _, match, kind = found[0]
    return match, kind


def parse_date(
    text: str | None,
    *,
    tz: str | tzinfo | None = None,
    fetched_at: datetime | None = None,
    year_hints: Iterable[int] = (),
) -> ParsedDate | None:
    """Read the first date (with its time and zone, when shown) in a piece of visible text.
    `raw` is the date as shown: the span from its first to its last part, without the rest of
    the line.

    `tz` is the outlet's zone, used when the text shows none. `fetched_at` anchors relative
    forms and missing years; `year_hints` are years the page suggests (URL date path, ...).
    """
    if not text:
        return None
    raw = " ".join(text.split())
    if not raw or len(raw) > 400:
        return None
    outlet_tz = zone(tz)
    relative = _parse_relative(raw, outlet_tz, fetched_at)
    if _DIGIT.search(raw) is None:
        return relative  # every calendar form holds a digit (most lines by a title hold none)
    found = _find_date(raw)
    if found is None:
        return relative
    match, kind = found
    day = int(match["day"])
    month_text = match["month"]
    month = MONTHS.get(month_text.lower().rstrip("."), 0) if kind == "text" else int(month_text)
    year_text = match.groupdict().get("year")
    weekday = WEEKDAYS.get(match["wday"].lower()) if match.groupdict().get("wday") else None
    year: int | None = None
    if year_text:
        year = int(year_text)
        if len(year_text) == 2:
            year += 2000
        if year < EARLIEST_YEAR:
            year = None
    has_year = year is not None
    if not 1 <= month <= 12:
        return relative
    if year is None:
        year = resolve_year(
            day, month, weekday=weekday, hints=year_hints, fetched_at=fetched_at, tz=outlet_tz
        )
        if year is None:
            return relative
    if not _valid(year, month, day):
        return relative
    # the time after the date, else before it (`10:15 WIB, Senin 22 Mei 2023`)
    time_match = _TIME.search(raw, match.end()) or _TIME.search(raw, 0, match.start())
    start, end = match.start(), match.end()
    hour = minute = second = 0
    shown: tzinfo | None = None
    if time_match:
        hour, minute = _hour(time_match), int(time_match["minute"])
        second = int(time_match["second"] or 0)
        start, end = min(start, time_match.start()), max(end, time_match.end())
        if time_match["zone"]:
            shown = _zone_from_text(time_match["zone"])
    if shown is None:
        zone_match = _ZONE_WORD.search(raw)
        if zone_match:
            shown = _zone_from_text(zone_match.group(1))
            start, end = min(start, zone_match.start()), max(end, zone_match.end())
    value = datetime(year, month, day, hour, minute, second, tzinfo=shown or outlet_tz)
    return ParsedDate(
        value,
        _shown_part(raw, start, end),
        has_time=time_match is not None,
        has_zone=shown is not None,
        has_year=has_year,
    )


_ZONE_WORD = re.compile(r"\b(WITA|WIB|WIT)\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_RAW_TRIM = " |-–—,;:·•/"


def _shown_part(raw: str, start: int, end: int) -> str:
    """The date as shown, from its first to its last part (weekday, date, time, zone), without
    what shares its line (`Kompas.com - `, `| Oleh : Nama | Dibaca : 341 kali`)."""
    # a time shown in brackets (`23 Mei 2023 (10:15 WITA)`) keeps both of them
    while raw.count("(", start, end) > raw.count(")", start, end) and end < len(raw):
        close = raw.find(")", end)
        if close < 0 or raw[end:close].strip():
            break
        end = close + 1
    while raw.count(")", start, end) > raw.count("(", start, end) and start > 0:
        opening = raw.rfind("(", 0, start)
        if opening < 0 or raw[opening + 1 : start].strip():
            break
        start = opening
    return raw[start:end].strip(_RAW_TRIM) or raw


def parse_day_mention(
    text: str | None,
    *,
    tz: str | tzinfo | None = None,
    fetched_at: datetime | None = None,
    year_hints: Iterable[int] = (),
) -> ParsedDate | None:
    """The first weekday-with-date mention in running text (`..., Selasa (23/5).`), the way
    Indonesian reports date the event in their first paragraph. Only that form is read, so a
    date quoted in the story (`pada 11 Juli 2015`) is not taken for the publication day."""
    if not text:
        return None
    match = _PAREN_DATE.search(text) if _PAREN_HINT.search(text) else None
    if not match:
        return None
    return parse_date(match.group(0), tz=tz, fetched_at=fetched_at, year_hints=year_hints)


def _parse_relative(raw: str, tz: tzinfo, fetched_at: datetime | None) -> ParsedDate | None:
    """`2 jam lalu`, `kemarin 10:15`, `hari ini`, `baru saja`, against the fetch time."""
    if fetched_at is None or _RELATIVE_HINT.search(raw.lower()) is None:
        return None
    now = _now(fetched_at).astimezone(tz)
    match = _RELATIVE.search(raw)
    if match:
        amount = match["n"].lower()
        n = 1 if amount in ("se", "satu") else int(amount)
        unit = match["unit"].lower()
        if unit not in _UNIT_SECONDS and unit.endswith("s"):
            unit = unit[:-1]
        seconds = _UNIT_SECONDS[unit]
        value = now - timedelta(seconds=n * seconds)
        return ParsedDate(
            value.replace(microsecond=0),
            raw,
            has_time=seconds < 86400,
            has_zone=False,
            relative=True,
        )
    if _JUST_NOW.search(raw):
        return ParsedDate(now.replace(microsecond=0), raw, has_time=True, relative=True)
    day_shift = 1 if _YESTERDAY.search(raw) else 0 if _TODAY.search(raw) else None
    if day_shift is None:
        return None
    base = (now - timedelta(days=day_shift)).date()
    time_match = _time_in(raw)
    hour = minute = 0
    shown: tzinfo | None = None
    if time_match:
        hour, minute = _hour(time_match), int(time_match["minute"])
        shown = _zone_from_text(time_match["zone"]) if time_match["zone"] else None
    value = datetime(base.year, base.month, base.day, hour, minute, tzinfo=shown or tz)
    return ParsedDate(
        value, raw, has_time=time_match is not None, has_zone=shown is not None, relative=True
    )


_URL_DATE = re.compile(
    r"/(?P<year>(?:19|20)\d{2})[/-]?(?P<month>0[1-9]|1[0-2])(?:[/-]?(?P<day>0[1-9]|[12]\d|3[01]))?(?=[/_.-]|$)"
)


def date_from_url(url: str) -> tuple[int, int, int | None] | None:
    """`(year, month, day)` from a date path (`/2023/05/23/`, `/20230523/`, `/2023/05/`)."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    match = _URL_DATE.search(path)
    if not match:
        return None
    year, month = int(match["year"]), int(match["month"])
    day = int(match["day"]) if match["day"] else None
    if day is not None and not _valid(year, month, day):
        day = None
    return year, month, day


def has_date_words(text: str) -> bool:
    """Cheap pre-check: could `text` hold a date (a digit next to a month, a slash date, ...)?"""
    # the weekday prefixes are optional: a form matches wherever its core does
    return bool(
        _TEXT_CORE_RE.search(text)
        or _NUM_CORE_RE.search(text)
        or (_PAREN_HINT.search(text) and _PAREN_DATE.search(text))
        or _ISO_DATE.search(text)
        or (_TEXT_EN_HINT.search(text) and _TEXT_DATE_EN.search(text))
    )
