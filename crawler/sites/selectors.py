"""CSS selectors of outlet profiles, compiled once per selector text.

A profile's selectors are compiled when the profile loads (`crawler.sites.parse_profile`), so a
selector that is not CSS is refused there with the file, the field and the reason instead of
failing on every article of a crawl; extraction (`crawler.extract.context.apply_profile`) then
gets the compiled selector from the same cache.
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree


class SelectorError(ValueError):
    """A selector that is not valid CSS; the message is the parser's reason."""


@lru_cache(maxsize=512)
def compile_selector(selector: str) -> etree.XPath:
    """A profile's CSS selector compiled once (a pure function of the string: no state).
    Raises `SelectorError` when it is not valid CSS."""
    from lxml.cssselect import CSSSelector

    try:
        return CSSSelector(selector, translator="html")
    except Exception as exc:  # cssselect raises several error types
        raise SelectorError(str(exc)) from None
