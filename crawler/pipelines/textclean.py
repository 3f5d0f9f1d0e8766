"""The text clean-up of the normalize pipeline: small pure functions, tested on their own."""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from crawler.extract.words import word_count

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
_TO_CLEAN = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_CLEAN)) + "]")
"""Any character `_CLEAN` removes or replaces. Most texts hold none, and `str.translate` with
a table looks every character up in it: 280 us for a 3 KB body, where this search takes 20."""


def _clean_chars(value: str) -> str:
    return value.translate(_CLEAN) if _TO_CLEAN.search(value) else value

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
    value = _clean_chars(unicodedata.normalize("NFC", strip_escapes(value)))
    return " ".join(value.split())


def clean_body(value: str) -> str:
    """Article text: each paragraph cleaned like `clean_text`, empty ones dropped, paragraphs
    separated by exactly one blank line."""
    if _ENTITY.search(value):
        value = html.unescape(value)
    value = _clean_chars(unicodedata.normalize("NFC", strip_escapes(value)))
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
    """Words in a text: `crawler.extract.words.word_count`, the one count every part uses."""
    return word_count(body)


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
