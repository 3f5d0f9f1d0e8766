"""Photo captions: lines set as captions without a caption region (a credit closing the line,
small or italic type under an image), and the `captions` field (`extract_captions`)."""

from __future__ import annotations

import re

from lxml import etree

from crawler.extract.context import Context, element_text
from crawler.extract.indonesian import parse_signoff
from crawler.extract.page import CAPTION, MEDIA, Block

CAPTION_MAX_CHARS = 300
"""A photo caption set as a plain paragraph is one or two sentences."""
_PHOTO_CREDIT = re.compile(
    r"\((?:[^()]{0,40}\b)?(?:(?:foto|photo|dokumentasi|istimewa|repro)\b|dok\.|dok\s+[a-z]|ist\.)"
    r"[^()]{0,60}\)\s*$",
    re.IGNORECASE,
)
"""A photo credit closing a line (`(Foto: Istimewa)`, `(ANTARA FOTO/Nama)`, `(Dok. Humas)`,
`(ISTIMEWA)`): the line is a caption set as a paragraph, not article text. Bare `(ist)` and
`(dok)` are left out: they are also writers' sign-off initials."""


_CREDIT_WORD = re.compile(r"foto|photo|dokumentasi|istimewa|repro", re.IGNORECASE)


def is_photo_caption(text: str) -> bool:
    """A line closed by a photo credit, not by a writer's initials (`(ist)`, `(dok/rh)`)."""
    if not _PHOTO_CREDIT.search(text):
        return False
    signoff = parse_signoff(text)
    return signoff is None or _CREDIT_WORD.search(signoff.code) is not None


SMALL_FONT_MAX_PX = 13.0
"""A caption is set smaller than the text: body text runs 14-18px on news templates, captions
11-13px (`font-size:11px`, `10pt`, `0.8em`, `80%`, `small`)."""
_FONT_SIZE = re.compile(
    r"font-size\s*:\s*(?:(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>px|pt|em|rem|%)|(?P<kw>[a-z-]+))",
    re.IGNORECASE,
)
_CAPTION_TAGS = frozenset({"em", "i", "small", "span", "font"})
"""Inline elements an editor wraps a caption line in under an image."""
_IMAGE_WRAPPERS = frozenset({"a", "picture", "span"})


def _small_or_italic(el: etree._Element) -> bool:
    """Whether an inline element sets its text apart as a caption: italics, `<small>`, a
    `<font size="1|2">`, or a style with a smaller font size or italics."""
    tag = el.tag
    if tag in ("em", "i", "small"):
        return True
    if tag == "font" and (el.get("size") or "").strip() in ("1", "2", "-1", "-2"):
        return True
    style = (el.get("style") or "").lower()
    if not style:
        return False
    if "italic" in style:
        return True
    match = _FONT_SIZE.search(style)
    if match is None:
        return False
    if match["kw"]:
        return match["kw"] in ("x-small", "xx-small", "small", "smaller")
    size = float(match["n"])
    unit = match["unit"].lower()
    px = size * {"px": 1.0, "pt": 4 / 3, "em": 16.0, "rem": 16.0, "%": 0.16}[unit]
    return px <= SMALL_FONT_MAX_PX


def _blank(text: str | None) -> bool:
    return not text or text.isspace()


def captions_under_images(root: etree._Element) -> set[str]:
    """Captions set without a caption class or credit right under an image: a small or
    italic line in the image's own block after a `<br>` (`<p><img><br><span
    style="font-size:11px">...</span></p>`), or the only content of the block that follows
    a block holding nothing but the image (`<p><img></p><p><em>...</em></p>`). The line
    must be the whole of its block: a paragraph that goes on after it is text."""
    out: set[str] = set()
    for img in root.iter("img"):
        node = img
        parent = node.getparent()
        while (
            parent is not None and parent.tag in _IMAGE_WRAPPERS and len(parent) == 1
            and _blank(parent.text) and _blank(node.tail)
        ):
            node, parent = parent, parent.getparent()
        if parent is None:
            continue
        candidate = node.getnext()
        gap_ok = _blank(node.tail)
        while candidate is not None and candidate.tag == "br" and _blank(candidate.tail):
            candidate = candidate.getnext()
        if candidate is None and gap_ok and _blank(parent.text) and len(parent) == 1:
            # the image alone in its block: the caption is the next block, alone in it
            block = parent.getnext()
            if block is None or block.tag not in ("p", "div") or len(block) != 1:
                continue
            if not _blank(block.text):
                continue
            candidate = block[0]
        elif not gap_ok:
            continue
        if (
            candidate is None
            or not isinstance(candidate.tag, str)
            or candidate.tag not in _CAPTION_TAGS
            or not _blank(candidate.tail)
            or candidate.getnext() is not None
            or not _small_or_italic(candidate)
        ):
            continue
        text = element_text(candidate)
        if text and len(text) <= CAPTION_MAX_CHARS:
            out.add(text)
    return out


def is_caption_line(ctx: Context, block: Block) -> bool:
    """Whether a short line is a photo caption the walk did not flag: closed by a photo
    credit, or set small or italic under an image (`captions_under_images`, over the whole page:
    a lead photo sits between the title and the body, outside the body root)."""
    text = block.text
    if len(text) > CAPTION_MAX_CHARS:
        return False
    if text.endswith(")") and is_photo_caption(text):
        return True
    if ctx.image_captions is None:
        body = ctx.doc_body
        ctx.image_captions = captions_under_images(body) if body is not None else set()
    return text in ctx.image_captions


def extract_captions(ctx: Context, from_body: list[str]) -> list[str]:
    """Captions: caption-flagged lines in the body root plus those between the title and the
    body's end (figure captions, `caption`/`keterangan` classes, short text in a photo box)."""
    out = list(from_body)
    if ctx.root_last is None:
        return out
    lo = ctx.title_index if ctx.title_index is not None else (ctx.root_first or 0)
    for b in ctx.page.blocks[lo : ctx.root_last + 1]:
        if b.index == ctx.title_index or b.link_density > 0.5 or len(b.text) > 400:
            continue
        if b.has_flag(CAPTION):
            out.append(b.text)
        elif ctx.root_first is not None and b.index < ctx.root_first and is_caption_line(ctx, b):
            out.append(b.text)  # a lead photo's credit line between the title and the body
        elif b.has_flag(MEDIA):
            media = b.flag_element(MEDIA)
            if media is not None and media.find(".//img") is not None and len(b.text.split()) >= 3:
                out.append(b.text)
    seen: set[str] = set()
    unique = []
    for text in out:
        if text not in seen:
            seen.add(text)
            unique.append(text)
    return unique
