"""Bytes to text: the page's declared charset, checked against its bytes.

Real pages declare one charset and use another, so a declaration is believed only when the
bytes agree with it. Order:

1. a byte-order mark;
2. valid UTF-8: bytes that decode strictly as UTF-8 are UTF-8 whatever a legacy declaration
   says (legacy text with accented letters almost never forms valid UTF-8, while UTF-8 pages
   labelled Latin-1 are common);
3. UTF-8 with a few stray bytes (a legacy character pasted into a UTF-8 page): still UTF-8,
   the stray bytes replaced;
4. the HTTP `Content-Type` charset (passed in), then the markup's `<meta charset>` /
   `http-equiv` / XML declaration, when the bytes decode under it;
5. Windows-1252 (the WHATWG reading of Latin-1), which never fails.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

SNIFF_BYTES = 4096
"""How far into the page a charset declaration is looked for (the HTML standard prescans
1024 bytes; real pages put comments and scripts first, so we look further)."""

_LEGACY_SINGLE_BYTE = frozenset(
    {
        "cp1252",
        "iso8859-1",
        "iso8859-15",
        "cp1250",
        "cp1251",
        "cp1254",
        "cp1257",
        "ascii",
        "iso8859-2",
        "iso8859-9",
        "mac-roman",
        "koi8-r",
    }
)
"""Single-byte encodings: any byte string decodes under them, so they cannot be checked by
decoding; a UTF-8 reading is tried first."""

_WHATWG_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252"}
"""Browsers read `iso-8859-1` and `us-ascii` as Windows-1252 (WHATWG Encoding Standard)."""

_NON_ASCII = re.compile(r"[^\x00-\x7f]")

MIXED_UTF8_RATIO = 20
"""A page that is not strictly UTF-8 is still read as UTF-8 when its valid multi-byte
characters outnumber the undecodable bytes this many times: a few legacy bytes pasted into a
UTF-8 page. A legacy page read as UTF-8 has few or no valid sequences, so it fails this."""

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def normalize_encoding(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when unknown."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    return _WHATWG_ALIASES.get(codec, codec)


def declared_encoding(data: bytes) -> str | None:
    """The charset the page's own markup declares, if any."""
    head = data[:SNIFF_BYTES]
    match = _XML_DECL.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode_html(data: bytes, http_encoding: str | None = None) -> tuple[str, str]:
    """Decode a page; returns `(text, encoding used)`. Never raises. See the module doc."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, "replace"), name
    text = _utf8(data)
    if text is not None:
        return text, "utf-8"
    lenient = data.decode("utf-8", "replace")
    stray = lenient.count("\ufffd")
    multibyte = len(_NON_ASCII.findall(lenient)) - stray
    if multibyte >= stray * MIXED_UTF8_RATIO:
        return lenient, "utf-8"
    for candidate in (http_encoding, declared_encoding(data)):
        declared = normalize_encoding(candidate)
        if not declared or declared.startswith(("utf-8", "utf-16", "utf-32")):
            continue
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            if declared in _LEGACY_SINGLE_BYTE:
                return data.decode(declared, "replace"), declared
    return data.decode("cp1252", "replace"), "cp1252"
