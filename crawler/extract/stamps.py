"""Machine dates shown on the page: a `<time datetime>` line or an hAtom `<abbr
class="published" title>` in a line's small box, read when a date chain asks about that line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from crawler.extract.context import Context, element_text
from crawler.extract.page import Block


@dataclass(slots=True)
class Stamp:
    """A machine-readable date element shown on the page (`<time datetime=ISO>`, an hAtom
    `<abbr class="published" title=ISO>`)."""

    value: str
    modified: bool
    """Classed as the modification date (`updated`, `modified`, `dateModified`) and not as
    the publication date: WordPress themes print `<time class="entry-date published">` and
    `<time class="updated">` side by side."""
    text: str | None = None
    """For an `<abbr>`: its text, which must be in the line (an abbr is read inside the line
    of its block element; a `<time>` is a line of its own)."""


_STAMP_MODIFIED = re.compile(r"updated|modified|diperbarui|datemodified")
_STAMP_PUBLISHED = re.compile(r"published|datepublished|dt-published")
_HATOM_ABBR = re.compile(r"published|updated|modified|dt-|date")


MACHINE_TEXT_MAX_CHARS = 40
"""A `<time>` without `datetime` is read as a machine date from at most this much of its
text (`2018-08-29T14:15:57+02:00` is 25): a `<time>` wrapping a page is no date."""

STAMP_SCAN_MAX_ELEMENTS = 40
"""A line's block element is searched for an hAtom `<abbr>` only when it holds at most this
many elements (a meta line's box); a line of text set straight in a big box (a whole page in
one `<div>` with `<br>`s) is not worth the scan."""


def _make_stamp(el: etree._Element) -> Stamp | None:
    """The stamp of a `<time datetime>` or an hAtom `<abbr class="published|updated" title>`,
    or None when it holds no machine date."""
    text = None
    if el.tag == "time":
        value = el.get("datetime")
        if not value and el.get("itemprop"):
            # microdata may carry the machine date as the element's text (`<time
            # itemprop="dateModified">2018-08-29 14:15:57</time>`)
            value = element_text(el)[:MACHINE_TEXT_MAX_CHARS]
    else:
        value = el.get("title")
        if not value or not _HATOM_ABBR.search((el.get("class") or "").lower()):
            return None
        text = element_text(el)
    if not value or not value.strip()[:1].isdigit():
        return None
    modified = False
    if el.get("class") or el.get("itemprop"):
        names = _stamp_names(el)
        modified = (
            _STAMP_PUBLISHED.search(names) is None
            and _STAMP_MODIFIED.search(names) is not None
            # `updated` alone is no modification date: tagDiv's Newspaper and Liputan6 class
            # their only (publication) date `entry-date updated`; it means one only beside
            # a `published` one (`<time class="published">...<time class="updated">`)
            and ("modified" in names or _beside_published(el))
        )
    return Stamp(value.strip(), modified, text)


def _stamp_names(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('itemprop') or ''}".lower()


def _beside_published(el: etree._Element) -> bool:
    """Whether a `published`-classed stamp shares the element's parent or grandparent."""
    parent = el.getparent()
    if parent is None:
        return False
    box = parent.getparent()
    for other in (box if box is not None else parent).iter("time", "abbr"):
        if other is not el and _STAMP_PUBLISHED.search(_stamp_names(other)):
            return True
    return False


def stamp_of(ctx: Context, block: Block) -> Stamp | None:
    """The machine date shown in a line, if any: the line's own `<time datetime>` (the walk
    makes every `<time>` a line of its own, see `page.walk`) or an hAtom `<abbr>` in the
    line's small block element. Looked up only for the lines the date chains ask about (a
    whole-page scan cost more than all the lookups), remembered per element."""
    el = block.container
    if el in ctx.stamps:
        stamp = ctx.stamps[el]
    else:
        stamp = None
        if el.tag == "time":
            stamp = _make_stamp(el)
        else:
            span = ctx.page.span(el)
            if span is not None and span.end - span.start <= 2 * STAMP_SCAN_MAX_ELEMENTS:
                for abbr in el.iter("abbr"):
                    stamp = _make_stamp(abbr)
                    if stamp is not None:
                        break
        ctx.stamps[el] = stamp
    if stamp is not None and stamp.text is not None and stamp.text not in block.text:
        return None
    return stamp

