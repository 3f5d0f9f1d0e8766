"""Canonical URLs: the dedupe key of an article, as small pure functions.

One article is one canonical URL, whichever variant was fetched:

1. the page's own `rel=canonical` when it points to the same outlet, else the fetched URL;
2. scheme and host lower-cased, default port and fragment dropped, query sorted (w3lib);
3. tracking parameters removed (`utm_*`, `fbclid`, `gclid`, ...);
4. AMP and mobile variants folded (`/amp/` path parts, `?amp=1`, `amp.`/`m.` hosts);
5. paginated parts folded into the article (`?page=2`, `?page=all`, `/slug/2/`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as _w3lib_canonicalize

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ocid",
        "cmpid",
        "spm",
        "utm",
        "ref_src",
        "_branch_match_id",
        "soc_src",
        "soc_trk",
        "ga_source",
        "ga_medium",
        "ga_campaign",
        "ga_content",
        "ga_term",
    }
)
"""Query parameters that identify a visit, not a page. `utm_*` is removed by prefix."""

TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")

PAGE_PARAMS = frozenset({"page", "halaman", "hal", "pg", "paging"})
"""Query parameters that select a part of a multi-page article (`?page=2`, `?page=all`)."""

AMP_PARAMS = frozenset({"amp", "amp_js_v", "usqp", "outputtype", "_amp"})

MAX_PATH_PAGE = 50
"""A trailing `/N/` path part is read as a page number only up to this value: real multi-page
articles have a handful of parts, while a larger trailing number is usually an article id."""

_AMP_SEGMENT = re.compile(r"^(amp|amphtml|m-amp)$", re.IGNORECASE)
_MOBILE_HOST = re.compile(r"^(m|amp|mobile|wap)\.", re.IGNORECASE)
_PATH_PAGE = re.compile(r"^(.*[A-Za-z][^/]*)/(\d{1,2})/?$")
_WP_PAGE = re.compile(r"^(.*)/page/(\d{1,3})/?$")


def _split_host(netloc: str) -> tuple[str, str]:
    host, _, port = netloc.lower().rpartition(":") if ":" in netloc else (netloc.lower(), "", "")
    return host, port


def strip_tracking(url: str) -> str:
    """Drop tracking query parameters, keeping every other parameter as it was."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def page_number(url: str) -> int | None:
    """The part number a URL asks for (`?page=3`, `/slug/3/`), None for the first or whole page."""
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in PAGE_PARAMS and value.isdigit():
            number = int(value)
            return number if number > 1 else None
    match = _WP_PAGE.match(parts.path) or _PATH_PAGE.match(parts.path)
    if match and not _is_date_path(match.group(1)):
        number = int(match.group(2))
        if 1 < number <= MAX_PATH_PAGE:
            return number
    return None


def _is_date_path(prefix: str) -> bool:
    """`/2023/05` before a trailing number means a date path (`/2023/05/23/`), not a page."""
    return re.search(r"/\d{4}/\d{1,2}$", prefix) is not None


def fold_variants(url: str, home_host: str | None = None) -> str:
    """Fold AMP, mobile and paginated variants of an article URL into the article's own URL.

    `home_host` is the outlet's main host (from its profile): an `m.`/`amp.` host is replaced
    by it when given, else the prefix is simply removed.
    """
    parts = urlsplit(url)
    host, port = _split_host(parts.netloc)
    if _MOBILE_HOST.match(host):
        host = home_host.lower() if home_host else _MOBILE_HOST.sub("", host)
    netloc = f"{host}:{port}" if port else host

    segments = parts.path.split("/")
    trailing_slash = parts.path.endswith("/") and len(parts.path) > 1
    segments = [s for s in segments if not _AMP_SEGMENT.match(s)]
    path = "/".join(segments) or "/"
    if path.endswith(".amp"):
        path = path[: -len(".amp")]
    if path.endswith("/amp.html"):
        path = path[: -len("/amp.html")] + ".html"
    if trailing_slash and not path.endswith("/"):
        path += "/"

    if page_number(urlunsplit(("http", "x", path, "", ""))) is not None:
        match = _WP_PAGE.match(path) or _PATH_PAGE.match(path)
        if match:
            path = match.group(1) + ("/" if trailing_slash else "")

    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in PAGE_PARAMS and k.lower() not in AMP_PARAMS
    ]
    return urlunsplit((parts.scheme, netloc, path, urlencode(query), ""))


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, drop default port and fragment, sort the query (w3lib)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host, port = _split_host(parts.netloc)
    if (scheme, port) in (("http", "80"), ("https", "443")):
        port = ""
    netloc = f"{host}:{port}" if port else host
    path = parts.path or "/"
    return _w3lib_canonicalize(urlunsplit((scheme, netloc, path, parts.query, "")))


def canonical_url(
    fetched_url: str,
    declared: str | None = None,
    *,
    owns: Callable[[str], bool] | None = None,
    home_host: str | None = None,
) -> str:
    """The canonical URL of an article page.

    `declared` is the page's `rel=canonical` (or `og:url`), used when `owns(declared)` says it
    is on the same outlet (without `owns`: when its host equals the fetched URL's host).
    """
    base = fetched_url
    if declared:
        declared = declared.strip()
        if declared.startswith(("http://", "https://")):
            same = (
                owns(declared)
                if owns
                else (
                    _split_host(urlsplit(declared).netloc)[0]
                    == _split_host(urlsplit(fetched_url).netloc)[0]
                )
            )
            if same:
                base = declared
    return normalize_url(fold_variants(strip_tracking(base), home_host))
