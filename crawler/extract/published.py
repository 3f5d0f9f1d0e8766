"""The publication and modification date chains: `read_dates` (every reading the page offers,
before the body is cut), `extract_published`, `extract_modified`; the stages are in their
docstrings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from lxml import etree

from crawler.extract import dates as D
from crawler.extract.captions import is_caption_line
from crawler.extract.context import (
    NEAR_TITLE_AFTER,
    NEAR_TITLE_BEFORE,
    Context,
    element_text,
    near_title_blocks,
    set_field,
)
from crawler.extract.date_fallback import MAX_OFFSET_MINUTES
from crawler.extract.layout import in_masthead
from crawler.extract.page import BOILER, CAPTION, DATE, MEDIA, NAV, RELATED
from crawler.extract.stamps import Stamp, stamp_of
from crawler.extract.structured import jsonld_text

VISIBLE_DATE_MAX_CHARS = 120
"""A date line is short (`Kamis, 5 November 2015 14:56 WIB | 1.229 Views`); longer lines are
paragraphs that mention a date."""

DAY_MENTION_PARAGRAPHS = 3
"""Paragraphs searched for `Selasa (23/5)` when nothing else dates the page: Indonesian reports
name the day of the event in the lede or the next two paragraphs."""

SAME_INSTANT_SECONDS = 60
"""Two readings of a publication time agree when within a minute (pages show minutes)."""

_MODIFIED_PREFIX = re.compile(
    r"^[\s|·•–—-]*(?:diperbarui|diperbaharui|update[d]?|(?:last )?(?:updated|edited|modified)|"
    r"pembaruan|terakhir diubah|"
    r"aktualisiert|zuletzt (?:geändert|aktualisiert)|letzte änderung|mis à jour|modifié|"
    r"actualizado|actualización|aggiornato|bijgewerkt|atualizado)(?!\w)",
    re.IGNORECASE,
)
"""A line that labels its date as the last revision (Indonesian, English, German, French,
Spanish, Italian, Dutch, Portuguese), after an opening separator (`| Zuletzt geändert: ...`):
never the publication date."""

STRONG_DATE_METAS = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "article:published",
    "published_time",
    "datepublished",
)
"""Meta names whose value is the publication instant by standard (OpenGraph, schema.org)."""

WEAK_DATE_METAS = (
    "pubdate",
    "publishdate",
    "publish_date",
    "publish-date",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.issued",
    "dcterms.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "datecreated",
    "originalpublicationdate",
    "content_create_date",
    "tanggal",
)
"""Site conventions, often wrong about the zone (`2015-11-05 T10:08:58Z` for 10:08 WIB):
below the date the page itself shows."""

_CUSTOM_PUBLISH_META = re.compile(r"publish(?:ed)?[\s_.:-]*(?:date|time)|pubdate$")
"""Meta names of a CMS's own (`content_PublishedDate`, `dtk:publishdate`,
`cXenseParse:recs:publishtime`, `article_publish_date`): read after `WEAK_DATE_METAS`, in page
order, so an outlet whose convention is not listed still gets its declared time."""
_NOT_PUBLISH_META = re.compile(r"modif|updat|expir|edit|revis")


MODIFIED_METAS = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
    "article:modified",
)


@dataclass
class DateReading:
    parsed: D.ParsedDate
    stage: str
    block: int | None = None


def _machine(ctx: Context, value: str | None, stage: str) -> DateReading | None:
    parsed = D.parse_machine(value, ctx.tz)
    if parsed is None and value:
        parsed = D.parse_date(value, tz=ctx.tz, fetched_at=ctx.fetched_at)
    return DateReading(parsed, stage) if parsed else None


def _strong_published(ctx: Context) -> DateReading | None:
    s = ctx.structured
    for node in (s.article, s.page):
        if node:
            reading = _machine(
                ctx,
                jsonld_text(node, "datePublished") or jsonld_text(node, "dateCreated")
                if node is s.article
                else jsonld_text(node, "datePublished"),
                "jsonld",
            )
            if reading:
                return reading
    for name in STRONG_DATE_METAS:
        found = s.first(name)
        if found:
            reading = _machine(ctx, found[1], "opengraph" if ":" in name else "meta")
            if reading:
                return reading
    for tag, value in s.itemprops.get("datepublished", ()):
        reading = _machine(ctx, value, "time" if tag == "time" else "microdata")
        if reading:
            return reading
    return None


def _weak_published(ctx: Context) -> DateReading | None:
    for name in WEAK_DATE_METAS:
        found = ctx.structured.first(name)
        if found:
            reading = _machine(ctx, found[1], "meta")
            if reading:
                return reading
    for name, values in ctx.structured.meta.items():
        if _CUSTOM_PUBLISH_META.search(name) and not _NOT_PUBLISH_META.search(name):
            for value in values:
                reading = _machine(ctx, value, "meta")
                if reading:
                    return reading
    return None


def _visible_published(
    ctx: Context, hints: list[int], machine_dated: bool = False
) -> DateReading | None:
    """The date shown by the title: the nearest date line, one with a time preferred, then
    one in a date element or where the article's meta line sits (`_meta_line`); a menu line
    between the headline and the body counts when it is nothing but a date (`_whole_line`);
    a line labelled as a revision never does. A line that is a `<time datetime>` gives its
    instant (stage `time`) unless the page's structured data already dates it
    (`machine_dated`: the shown text is then what is compared with it, see
    `extract_published`)."""
    if "date" in ctx.selected:
        el = ctx.selected["date"][0]
        value = el.get("datetime") or el.get("content")
        reading = _machine(ctx, value, "profile") if value else None
        if reading is None:
            parsed = D.parse_date(
                element_text(el), tz=ctx.tz, fetched_at=ctx.fetched_at, year_hints=hints
            )
            reading = DateReading(parsed, "profile") if parsed else None
        if reading:
            return reading
    best: tuple[tuple[int, int, int], DateReading] | None = None
    best_text: tuple[tuple[int, int, int], D.ParsedDate] | None = None
    title = ctx.title_index
    candidates = list(near_title_blocks(ctx))
    seen = {b.index for b in candidates}
    lo = title if title is not None else 0
    hi = ctx.root_last if ctx.root_last is not None else lo + NEAR_TITLE_AFTER
    first = ctx.root_first if ctx.root_first is not None else lo
    for b in ctx.page.blocks[lo : hi + 1]:
        if b.index in seen:
            continue
        if b.has_flag(NAV):
            if title is not None and title < b.index < first:
                candidates.append(b)  # read only when the line is nothing but a date
        elif b.has_flag(DATE):
            candidates.append(b)
    candidates.extend(b for b in ctx.footer if b.index not in seen)  # the entry footer's date
    for b in candidates:
        if len(b.text) > VISIBLE_DATE_MAX_CHARS or b.index == title:
            continue
        if b.has_flag(CAPTION) or b.has_flag(MEDIA):
            continue  # `Senin (15/1/2024)` in a photo caption dates the photo, not the page
        if in_masthead(ctx, b):
            continue  # today's date in the site's header
        # a dated headline link is no date line; a date linked to the permalink, the day's
        # archive or the author's page is, when the line is nothing but the date (below) and
        # not in a comment or teaser box
        linked = b.link_density > 0.5 and not b.has_flag(DATE)
        if linked and (b.has_flag(BOILER) or b.has_flag(RELATED)):
            continue
        if _MODIFIED_PREFIX.match(b.text):
            continue
        stamp = stamp_of(ctx, b)
        if stamp is not None and stamp.modified:
            continue  # `<time class="updated">` beside the publication date
        parsed = D.parse_date(b.text, tz=ctx.tz, fetched_at=ctx.fetched_at, year_hints=hints)
        if (linked or b.has_flag(NAV)) and (parsed is None or not _whole_line(parsed, b.text)):
            continue  # a menu line or a link is the date only when it is nothing else (`13 Oct
            # 2020 18:29`, `am 20.09.2020`)
        if linked and parsed is not None and parsed.relative:
            continue  # a link to `Today's Word` names no date
        stage = "text"
        if stamp is not None and not machine_dated:
            machine = _stamp_reading(ctx, stamp, parsed)
            if machine is not None:
                parsed, stage = machine, "time"
        if parsed is None:
            continue
        if not (parsed.has_year or parsed.relative or b.has_flag(DATE) or parsed.has_time):
            continue  # `23/5` alone in a line by the title may be anything; with a time or in
            # a date element it is the date (`Selasa (23/5) 10:15 WITA`)
        distance = abs(b.index - title) if title is not None else 0
        key = (0 if parsed.has_time else 1,
               0 if b.has_flag(DATE) or _meta_line(ctx, b.index) else 1, distance)
        better = best is None or key < best[0]
        if stage == "text":
            if not (better or best_text is None or key < best_text[0]):
                continue
            if is_caption_line(ctx, b):
                continue  # `Warga mengungsi, Kamis (16/11/2023). (Foto: Istimewa)`: the photo's
            if best_text is None or key < best_text[0]:
                best_text = (key, parsed)
        if better:
            best = (key, DateReading(parsed, stage, b.index))
    if best is None:
        return None
    reading = best[1]
    if reading.stage == "time" and best_text is not None and _ISO_DAY.match(reading.parsed.raw):
        # the stamp shows no date of its own (Blogger's `<abbr title=ISO>10.15</abbr>`):
        # the raw value is the date line readers see, when it names the same day
        shown = best_text[1]
        if reading.parsed.value.astimezone(shown.value.tzinfo).date() == shown.value.date():
            p = reading.parsed
            reading = DateReading(D.ParsedDate(p.value, shown.raw, p.has_time, p.has_zone),
                                   reading.stage, reading.block)
    return reading


_PUBLISHED_LABEL = re.compile(
    r"^[\s|·•–—-]*(?:erschienen|ver[öo]ffentlicht|erstellt|publiziert|published|posted|"
    r"publié|publicado|pubblicato|gepubliceerd|diterbitkan|dipublikasikan|diposting)"
    r"(?:\s+(?:am|on|le|el|il|op|pada))?\s*:?\s*(?=\d)",
    re.IGNORECASE,
)
"""A line that labels its date as the publication's (`Erschienen am: 01.11.2023`, `Published
on 3 May 2021`, `Diterbitkan 23 Mei 2023`): the label, then the date."""


def _labelled_published(ctx: Context, hints: list[int]) -> DateReading | None:
    """When neither markup nor a line by the title dates the page: the first short line
    anywhere on the page (a footer's `Letzte Änderung: ... / Erschienen am: ...`) that labels
    its full date as the publication date, as a date line (stage `text`)."""
    for b in ctx.page.blocks:
        if len(b.text) > VISIBLE_DATE_MAX_CHARS or b.has_flag(CAPTION):
            continue
        label = _PUBLISHED_LABEL.match(b.text)
        if label is None:
            continue
        parsed = D.parse_date(b.text[label.end() :], tz=ctx.tz, fetched_at=ctx.fetched_at,
                              year_hints=hints)
        if parsed is not None and parsed.has_year and not parsed.relative:
            return DateReading(parsed, "text", b.index)
    return None


def _meta_line(ctx: Context, index: int) -> bool:
    """Whether line `index` sits where an article's meta line does: between the headline and
    the body's first line, near one of them (within `NEAR_TITLE_AFTER` lines after the
    headline or `NEAR_TITLE_BEFORE` before the body; not in a long run of teasers between)."""
    title, first = ctx.title_index, ctx.root_first
    if title is None or first is None or not title < index < first:
        return False
    return index - title <= NEAR_TITLE_AFTER or first - index <= NEAR_TITLE_BEFORE


_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")


def _whole_line(parsed: D.ParsedDate, text: str) -> bool:
    """Whether the date as shown is the whole line (weekday and punctuation aside)."""
    return parsed.has_year and len(parsed.raw) >= len(text.strip(" |-–—,;:·•/")) - WEEKDAY_CHARS


WEEKDAY_CHARS = 12
"""Room for a weekday before a date (`Wednesday, `) that the date's raw value may leave out."""


def _stamp_reading(
    ctx: Context, stamp: Stamp, shown: D.ParsedDate | None
) -> D.ParsedDate | None:
    """The instant of a `<time datetime>` shown as a date line, with the shown text as its
    raw value when it names the same day (`16 November 2023`, `3 jam lalu`)."""
    machine = D.parse_machine(stamp.value, ctx.tz)
    if machine is None:
        return None
    raw = machine.raw
    if shown is not None and (
        shown.relative
        or machine.value.astimezone(shown.value.tzinfo).date() == shown.value.date()
    ):
        raw = shown.raw
    return D.ParsedDate(machine.value, raw, machine.has_time, machine.has_zone)


def _mislabelled_zone(machine: D.ParsedDate, shown: D.ParsedDate) -> bool:
    """A machine date whose wall clock equals the shown one but whose zone differs: the page's
    markup put a `Z` (or another zone) on local time."""
    if not (machine.has_time and shown.has_time and shown.has_zone):
        return False
    a, b = machine.value, shown.value
    same_clock = (a.replace(tzinfo=None) - b.replace(tzinfo=None)).total_seconds()
    return abs(same_clock) < SAME_INSTANT_SECONDS and a.utcoffset() != b.utcoffset()


def _zone_declared_elsewhere(
    machine: D.ParsedDate, other: DateReading | None
) -> D.ParsedDate | None:
    """A machine date written without a zone (`2023-04-28 18:11:01.0` in JSON-LD) whose wall
    clock another machine reading declares with its zone (`2023-04-28T18:11:01+02:00` in a
    meta): that zone, the page's own word, instead of the outlet's assumed one. None when
    the date has its zone, or no other reading shows the same wall clock with one."""
    if machine.has_zone or not machine.has_time or other is None:
        return None
    shown = other.parsed
    if not (shown.has_zone and shown.has_time) or shown.value.tzinfo is None:
        return None
    a, b = machine.value.replace(tzinfo=None), shown.value.replace(tzinfo=None)
    if abs((a - b).total_seconds()) >= SAME_INSTANT_SECONDS:
        return None
    return _relabel(machine, shown)


def _in_outlet_zone(parsed: D.ParsedDate, tz: tzinfo) -> D.ParsedDate:
    """A UTC instant (`...Z`, `+00:00`, common in CMS metadata) written in the outlet's zone:
    the same instant, read the way the outlet's readers see it. Other offsets stay as shown
    (a WIB story on a WITA outlet keeps +07:00)."""
    if parsed.value.utcoffset() != timedelta(0):
        return parsed
    return D.ParsedDate(parsed.value.astimezone(tz), parsed.raw, parsed.has_time, parsed.has_zone,
                        parsed.has_year, parsed.relative)


def _in_shown_zone(parsed: D.ParsedDate, shown: D.ParsedDate) -> D.ParsedDate:
    """A machine instant written in the zone the page shows for the same instant (readers of
    a WITA outlet's page that says `10:15 WIB` see +07:00); unchanged otherwise."""
    if not (shown.has_time and shown.has_zone and not shown.relative):
        return parsed
    if abs((parsed.value - shown.value).total_seconds()) >= SAME_INSTANT_SECONDS:
        return parsed
    if parsed.value.utcoffset() == shown.value.utcoffset():
        return parsed
    return D.ParsedDate(parsed.value.astimezone(shown.value.tzinfo), parsed.raw,
                        parsed.has_time, parsed.has_zone, parsed.has_year, parsed.relative)


def _shown_disagrees(machine: D.ParsedDate, shown: D.ParsedDate) -> bool:
    """The page shows a time with its zone that differs from the machine date by a minute or
    more: the shown one is what readers (and citations) see, so it wins."""
    if not (shown.has_time and shown.has_zone and not shown.relative):
        return False
    return abs((machine.value - shown.value).total_seconds()) >= SAME_INSTANT_SECONDS


def _shown_other_day(ctx: Context, machine: D.ParsedDate, shown: DateReading) -> bool:
    """The article's meta line (a line between the headline and the body's first line, not
    in a quotation) names, with its year, another day than the structured date in the
    structured date's own offset: the page presents another date than its markup (a
    template's creation time, a first draft, the day it was last revised), and readers see
    and cite the shown one. A `<time datetime>` or a relative date says nothing here, nor a
    numeric date that names the structured day with its day and month read the other way
    round (`11/08/2023`), nor a time that some UTC offset in use brings within a minute of the
    structured instant (`Nov 8, 2023 / 10:20 PM` beside `2023-11-09T06:35:29Z`)."""
    p = shown.parsed
    if shown.stage != "text" or p.relative or not p.has_year or shown.block is None:
        return False
    if p.value > ctx.fetched_at + D.FUTURE_TOLERANCE:
        return False  # a date after the fetch is an event's, or a typo, not the page's
    if not _meta_line(ctx, shown.block):
        return False
    if p.has_time and (p.has_zone or _within_any_zone(machine.value, p.value)):
        return False  # maybe the same instant shown in the publisher's zone (`in_shown_offset`)
    day, other = p.value.date(), machine.value.date()
    if day == other or (day.year == other.year and day.day == other.month
                        and day.month == other.day):
        return False
    return not _quoted(ctx.page.blocks[shown.block].container)


def _headline_found(ctx: Context, shown: DateReading) -> bool:
    """Whether a shown date may overrule a weak meta date: the page's headline was found, so
    the date line is the one by it (without a headline the nearest date line may be the
    site's header showing today's date); a profile's date element always may."""
    return shown.block is None or ctx.title_index is not None


def _in_declared_zone(ctx: Context, shown: D.ParsedDate, machine: D.ParsedDate
                      ) -> D.ParsedDate:
    """A shown time without a zone, on a page without an outlet profile, in the non-UTC
    offset the page's markup declares (`2023-11-06T18:19:00+01:00` beside `07.11.2023,
    07:30`: 07:30 +01:00), not in the default zone (WIB) assumed for Indonesian outlets; a
    UTC value says nothing of the publisher's zone. Else unchanged."""
    value = machine.value
    if (ctx.profile is not None or not shown.has_time or shown.has_zone or not machine.has_zone
            or not value.utcoffset() or value.utcoffset() == shown.value.utcoffset()):
        return shown
    return D.ParsedDate(shown.value.replace(tzinfo=value.tzinfo), shown.raw, True, True,
                        shown.has_year)


def _within_any_zone(machine: datetime, shown: datetime) -> bool:
    """Whether the shown wall clock (its zone ignored) is the machine instant's in some UTC
    offset from -14:00 to +14:00, give or take a minute."""
    utc_clock = machine.astimezone(UTC).replace(tzinfo=None)
    gap = abs((shown.replace(tzinfo=None) - utc_clock).total_seconds())
    return gap <= MAX_OFFSET_MINUTES * 60 + SAME_INSTANT_SECONDS


_QUOTE_TAGS = frozenset({"blockquote", "q"})
QUOTE_DEPTH = 8
"""Ancestors looked at for a quotation around a date line (an embedded post's `<blockquote>`
signs off with its own date)."""


def _quoted(el: etree._Element) -> bool:
    for _ in range(QUOTE_DEPTH):
        if el is None:
            return False
        if el.tag in _QUOTE_TAGS:
            return True
        el = el.getparent()
    return False


def _midnight_placeholder(machine: D.ParsedDate, shown: D.ParsedDate) -> bool:
    """A machine date that holds only a day (`2023-05-23`, or local midnight) while the page
    shows that day with a time of day (`Selasa, 23 Mei 2023 10:15`, no zone): the CMS stored
    a date, the page shows when; the shown time is the reading with more in it."""
    if not shown.has_time or shown.relative:
        return False
    value = machine.value
    if machine.has_time and value.time() != time(0):
        return False
    return value.date() == shown.value.date()


def _relabel(machine: D.ParsedDate, shown: D.ParsedDate) -> D.ParsedDate:
    return D.ParsedDate(
        machine.value.replace(tzinfo=shown.value.tzinfo), machine.raw, True, True, machine.has_year
    )


@dataclass
class DateReadings:
    strong: DateReading | None
    weak: DateReading | None
    visible: DateReading | None
    url_date: tuple[int, int, int | None] | None
    hints: list[int]


def read_dates(ctx: Context) -> DateReadings:
    """Every publication-date reading the page offers (before the body is cut, so the visible
    date line can be left out of it)."""
    url_date = D.date_from_url(ctx.url)
    strong = _strong_published(ctx)
    weak = _weak_published(ctx)
    hints = [r.parsed.value.year for r in (strong, weak) if r is not None]
    if ctx.date_hint is not None:
        # the year discovery printed beside the link, after the page's own (its URL's date
        # path, its machine dates): the page wins where it shows more
        hints.append(ctx.date_hint[0].astimezone(ctx.tz).year)
    if url_date:
        hints.insert(0, url_date[0])
    visible = _visible_published(ctx, hints, machine_dated=strong is not None)
    if visible is None and strong is None:
        visible = _labelled_published(ctx, hints)
    if visible is not None and visible.block is not None:
        ctx.consumed.add(visible.block)
    return DateReadings(strong, weak, visible, url_date, hints)


def _day_mention(ctx: Context, readings: DateReadings, body_lines: list[str]
                 ) -> D.ParsedDate | None:
    """The first `Selasa (23/5)`-style mention in the opening paragraphs."""
    for line in body_lines[:DAY_MENTION_PARAGRAPHS]:
        parsed = D.parse_day_mention(
            line, tz=ctx.tz, fetched_at=ctx.fetched_at, year_hints=readings.hints
        )
        if parsed is not None:
            return parsed
    return None


LEDE_DATE_CHARS = 40
"""How far into the first paragraph a dateline's date may end (`Karlsruhe, (12.11.2021).
Traditionell ...`, `BERLIN, 5. März 2022 - ...`): a place and the date, not the story."""


def _lede_date(ctx: Context, body_lines: list[str]) -> D.ParsedDate | None:
    """The full date (with its year) of a dateline that opens the first paragraph."""
    if not body_lines:
        return None
    parsed = D.parse_date(body_lines[0][:LEDE_DATE_CHARS], tz=ctx.tz, fetched_at=ctx.fetched_at)
    if parsed is None or not parsed.has_year or parsed.relative:
        return None
    return parsed


def _published_precision(chosen: D.ParsedDate, visible: DateReading | None) -> str:
    """How much of `published_at` the page gave (see `extract_published`)."""
    if chosen.relative:
        return "relative"
    if not chosen.has_time:
        return "day"
    if visible is not None and not visible.parsed.has_time and not visible.parsed.relative:
        # Metadata at exactly local midnight beside a page that shows only that day: the
        # CMS stores a date, not a time (`2023-05-30T00:00:00+08:00` under `Selasa, 30 Mei
        # 2023`), so the midnight is a placeholder.
        local = chosen.value.astimezone(visible.parsed.value.tzinfo)
        if local.date() == visible.parsed.value.date() and local.time() == time(0):
            return "day"
    return "time"


def extract_published(
    ctx: Context, readings: DateReadings, body_lines: list[str]
) -> tuple[str | None, str | None, str | None]:
    """Publication date chain; returns `(published_at, published_raw, published_precision)`.

    1. structured: JSON-LD `datePublished` (article, else page object), OpenGraph
       `article:published_time` and kin, microdata `datePublished` (`<time>`, `<meta>`);
    2. the profile's `date` selector;
    3. the date shown by the title (`text`) when it has a time: the nearest short line that
       parses as a full date; a line that is a `<time datetime>` or an hAtom `<abbr
       class="published" title>` gives its instant (`time`; not one classed `updated` beside
       a `published` one; a line of the article's own footer counts too); a line that is a
       photo caption (credit, small or italic under an image) is never the date, nor one
       labelled as a revision (`_MODIFIED_PREFIX`);
    4. weak meta names (`pubdate`, `date`, `dateCreated`, ...);
    5. the date shown by the title without a time; on a page without structured data or such
       a line, a short line anywhere that labels its full date as the publication's
       (`Erschienen am: 01.11.2023`, `Published on ...`; `_labelled_published`), which also
       outranks a weak meta on another day (stage 4, a meta's `11/01/2023` read month first);
    6. the URL's date path (`url`, day precision);
    7. a dateline's full date opening the first paragraph (`Karlsruhe, (12.11.2021).`, within
       `LEDE_DATE_CHARS`), else `Selasa (23/5)` in the first `DAY_MENTION_PARAGRAPHS`
       paragraphs (`text`, year from the URL, other dates on the page, the weekday and the
       fetch time).

    Checks between stages: a structured date written without a zone takes the zone a weak meta
    declares for the same wall clock; when a structured or meta date shows the same wall clock
    as the visible date but another zone (local time labelled `Z`), the visible zone is used;
    when the page shows a time with its zone that differs from the structured date by a minute
    or more, the shown date wins (templates put creation times or mislabelled zones in markup;
    the shown date is what readers cite); when the article's meta line (between the headline and
    the body, not quoted) names with its year another day than the structured date, and no UTC
    offset reconciles the two, the shown date wins (`_shown_other_day`: a template's creation
    time or a revision day in the markup); a weak meta date on another day than the visible date
    loses to it when the page's headline was found. A time with no zone takes the outlet's zone.
    An instant from markup is written in the zone the page shows beside it when both name the
    same instant (metadata in UTC under `10:15 WIB` on a WITA outlet's regional edition:
    +07:00), else a UTC instant is written in the outlet's zone. `published_raw` is the visible
    text when it shows the same day, else the chosen value as written.

    `published_precision` says what the instant is worth: `time` when the page gave a time of
    day; `day` when it gave only the date (`published_at` is then midnight in the outlet's zone,
    a placeholder: stage 6, 7, a date-only value, or a machine midnight beside a visible date
    without a time); `relative` when it was computed from `2 jam lalu`, `kemarin` and kin
    against the fetch time (approximate); None with no date.
    """
    strong, weak, visible, url_date = (
        readings.strong,
        readings.weak,
        readings.visible,
        readings.url_date,
    )
    chosen: DateReading | None = None
    if strong is not None:
        zoned = _zone_declared_elsewhere(strong.parsed, weak)
        if zoned is not None:
            strong = DateReading(zoned, strong.stage, strong.block)
        chosen = strong
        if visible is not None and _mislabelled_zone(strong.parsed, visible.parsed):
            chosen = DateReading(_relabel(strong.parsed, visible.parsed), strong.stage)
        elif visible is not None and (
            _shown_disagrees(strong.parsed, visible.parsed)
            or _midnight_placeholder(strong.parsed, visible.parsed)
        ):
            chosen = visible
        elif visible is not None and _shown_other_day(ctx, strong.parsed, visible):
            chosen = DateReading(_in_declared_zone(ctx, visible.parsed, strong.parsed),
                                 visible.stage, visible.block)
    elif visible is not None and (visible.stage == "profile" or visible.parsed.has_time):
        chosen = visible
    elif weak is not None:
        chosen = weak
        if visible is not None:
            if _mislabelled_zone(weak.parsed, visible.parsed):
                chosen = DateReading(_relabel(weak.parsed, visible.parsed), weak.stage)
            elif (
                weak.parsed.value.astimezone(visible.parsed.value.tzinfo).date()
                != visible.parsed.value.date()
            ) and _headline_found(ctx, visible):
                chosen = visible
    elif visible is not None:
        chosen = visible
    elif url_date and url_date[2]:
        value = datetime(url_date[0], url_date[1], url_date[2], tzinfo=ctx.tz)
        # The raw value is what a reader sees: the body's `Selasa (30/5)` when it names the
        # same day as the URL, else the URL itself.
        mention = _day_mention(ctx, readings, body_lines)
        raw = mention.raw if mention and mention.value.date() == value.date() else ctx.url
        chosen = DateReading(D.ParsedDate(value, raw, has_time=False), "url")
    else:
        mention = _lede_date(ctx, body_lines) or _day_mention(ctx, readings, body_lines)
        if mention is not None:
            chosen = DateReading(mention, "text")
    if chosen is None:
        return None, None, None
    ctx.provenance["published_at"] = chosen.stage
    chosen = DateReading(_in_outlet_zone(chosen.parsed, ctx.tz), chosen.stage, chosen.block)
    if visible is not None and visible is not chosen:
        chosen = DateReading(_in_shown_zone(chosen.parsed, visible.parsed), chosen.stage,
                              chosen.block)
    raw = chosen.parsed.raw
    if visible is not None and visible is not chosen:
        local = chosen.parsed.value.astimezone(visible.parsed.value.tzinfo)
        if visible.parsed.value.date() == local.date():
            raw = visible.parsed.raw
    precision = _published_precision(chosen.parsed, visible)
    completed = complete_from_hint(ctx, chosen.parsed, precision)
    if completed is not None:
        return completed.iso(), raw, "time"
    return chosen.parsed.iso(), raw, precision


def hint_has_time(value: datetime, tz: tzinfo) -> bool:
    """Whether a discovery date names a time of day: a date-only sitemap or feed value is
    read as local midnight, which says nothing of the hour."""
    return value.astimezone(tz).time() != time(0)


def complete_from_hint(ctx: Context, parsed: D.ParsedDate, precision: str
                       ) -> D.ParsedDate | None:
    """The page's date completed from the time discovery saw beside its link
    (`ctx.date_hint`), or None when the hint adds nothing.

    The page wins where it shows more: its year, when shown, and its time, when shown, are
    kept. The hint's year was already the first year tried for a date shown without one
    (`read_dates`); here a date shown without a time of day (`day` precision) takes the
    hint's time when the hint falls on that same local day. What the hint gave is recorded in
    the provenance, `published_hint`: `listing: year, time` (`feed`, `sitemap`)."""
    hint = ctx.date_hint
    if hint is None or precision == "relative":
        return None
    value, source = hint
    gave: list[str] = []
    if not parsed.has_year and parsed.value.year == value.astimezone(ctx.tz).year:
        gave.append("year")
    result = None
    if precision == "day" and hint_has_time(value, ctx.tz):
        local = value.astimezone(parsed.value.tzinfo)
        if local.date() == parsed.value.date():
            gave.append("time")
            result = D.ParsedDate(local, parsed.raw, True, parsed.has_zone, parsed.has_year)
    if gave:
        ctx.provenance["published_hint"] = f"{source}: {', '.join(gave)}"
    return result


def extract_modified(ctx: Context) -> str | None:
    """Modification date chain: JSON-LD `dateModified` -> meta `article:modified_time`,
    `og:updated_time`, `dateModified` -> microdata `dateModified` -> a `Diperbarui ...` /
    `Updated ...` line near the title (`text`). A modification time not after the publication
    time (templates copy `datePublished` into `dateModified`) is dropped: it says nothing."""
    s = ctx.structured
    if s.article:
        reading = _machine(ctx, jsonld_text(s.article, "dateModified"), "jsonld")
        if reading:
            return set_field(ctx, "modified_at", _in_outlet_zone(reading.parsed, ctx.tz).iso(),
                        reading.stage)
    for name in MODIFIED_METAS:
        found = s.first(name)
        if found:
            reading = _machine(ctx, found[1], "opengraph" if ":" in name else "meta")
            if reading:
                return set_field(ctx, "modified_at", _in_outlet_zone(reading.parsed, ctx.tz).iso(),
                        reading.stage)
    for tag, value in s.itemprops.get("datemodified", ()):
        reading = _machine(ctx, value, "time" if tag == "time" else "microdata")
        if reading:
            return set_field(ctx, "modified_at", _in_outlet_zone(reading.parsed, ctx.tz).iso(),
                        reading.stage)
    for b in (*near_title_blocks(ctx), *ctx.footer):
        stamp = stamp_of(ctx, b) if b.has_flag(DATE) else None  # `<time>` lines have it
        if stamp is not None and stamp.modified and not b.has_flag(CAPTION):
            reading = _machine(ctx, stamp.value, "time")
            if reading:
                ctx.consumed.add(b.index)
                return set_field(ctx, "modified_at", _in_outlet_zone(reading.parsed, ctx.tz).iso(),
                            reading.stage)
        if len(b.text) <= VISIBLE_DATE_MAX_CHARS and _MODIFIED_PREFIX.match(b.text):
            parsed = D.parse_date(b.text, tz=ctx.tz, fetched_at=ctx.fetched_at)
            if parsed:
                ctx.consumed.add(b.index)
                return set_field(ctx, "modified_at", parsed.iso(), "text")
    return None


def later(a: str, b: str) -> bool:
    """Whether instant `a` is after instant `b` by at least `SAME_INSTANT_SECONDS`."""
    delta = datetime.fromisoformat(a) - datetime.fromisoformat(b)
    return delta.total_seconds() >= SAME_INSTANT_SECONDS
