"""Canonical URLs: the dedupe key of an article, as small pure functions.

One article is one canonical URL, whichever variant was fetched:

1. the page's own `rel=canonical` (relative ones resolved against the fetched URL) when it
   points to the same outlet and not to the outlet's front page, else the fetched URL;
2. scheme and host lower-cased, default port, fragment and user info dropped, query sorted
   (w3lib), an empty path written `/`;
3. tracking parameters removed (`utm_*`, `fbclid`, `gclid`, ...);
4. AMP and mobile variants folded (`/amp/` path parts, `.amp` and `/amp.html` endings,
   `?amp=1`, `amp.`/`m.` hosts);
5. paginated parts folded into the article (`?page=2`, `?page=all`, `/slug/2/`, `/page/2/`).

Every function is idempotent: applying it to its own output changes nothing, so pipelines can
re-canonicalize an item's URL safely.

They live in the archive because the archive needs them too (`warta show URL` finds the
article from any variant of its URL); the crawler imports them `from archive import ...`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as _w3lib_canonicalize

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "_ga", "_gl", "ocid", "cmpid", "spm", "utm", "ref_src",
        "_branch_match_id", "soc_src", "soc_trk", "ga_source", "ga_medium", "ga_campaign",
        "ga_content", "ga_term", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
        "vero_id", "wt.mc_id", "cid_source", "src_ref",
    }
)  # fmt: skip
"""Query parameters that identify a visit, not a page. `utm_*` and kin are removed by prefix."""

TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")

PAGE_PARAMS = frozenset({"page", "halaman", "hal", "pg", "paging"})
"""Query parameters that select a part of a multi-page article (`?page=2`, `?page=all`)."""

AMP_PARAMS = frozenset({"amp", "amp_js_v", "usqp", "outputtype", "_amp"})

CANONICAL_MEMO_SIZE = 20_000
"""URLs whose canonical form `canonical_url` remembers (a few MB when full; it is then emptied,
so memory stays bounded on a crawl of any size). The same URL is canonicalized several times
for one page (the fetched URL, its `rel=canonical`, the page among its own links) and headline
boxes repeat links from page to page; the w3lib step was a sixth of reading a page on
bench/crawl.py's outlet."""

CANONICAL_MEMO_MAX_CHARS = 2083
"""URLs longer than this (Scrapy's `URLLENGTH_LIMIT`: no request goes further) are
canonicalized without being remembered, so a page of kilobyte-long links cannot fill
memory."""

MAX_PATH_PAGE = 50
"""A trailing `/N/` path part is read as a page number only up to this value: real multi-page
articles have a handful of parts, while a larger trailing number is usually an article id."""

_AMP_SEGMENT = re.compile(r"^(?:amp|amphtml|m-amp)$", re.IGNORECASE)
_MOBILE_HOST = re.compile(r"^(?:m|amp|mobile|wap)\.", re.IGNORECASE)
_TRAILING_NUMBER = re.compile(r"/(\d{1,3})/?$")
_DATE_TAIL = re.compile(r"/\d{4}/\d{1,2}$")
_SLUG = re.compile(r"[A-Za-z][^/]*[-_.][^/]*[A-Za-z0-9]|[A-Za-z][^/]{14,}")
"""A headline slug (`judul-berita`, `Judul.Berita`, a long word) before a trailing `/2/`: the
number then numbers the article's parts. After a short word (`/read/42`, `/p/3`) it is an id."""


def _host_port(parts: SplitResult) -> tuple[str, str]:
    """Lower-cased host (IPv6 kept in brackets) and port text, user info dropped."""
    netloc = parts.netloc.rsplit("@", 1)[-1].lower()
    if netloc.startswith("["):
        host, _, rest = netloc.partition("]")
        host += "]"
        port = rest[1:] if rest.startswith(":") else ""
    elif ":" in netloc:
        host, _, port = netloc.rpartition(":")
    else:
        host, port = netloc, ""
    return host.rstrip("."), port


_PLAIN_URL = re.compile(r"https?://([a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::([1-9][0-9]{0,4}))?(/[A-Za-z0-9._~/-]*)")
"""A URL that w3lib's canonical form leaves as it is: lower-case scheme and host, a port
without leading zeros, a path of unreserved characters only (nothing to percent-encode or
decode, no `;` parameters), no query, no fragment (`normalize_url` checks the rest: no dot
segments, no IPv4 address w3lib would rewrite, no IDNA label, a port in range). Most article
URLs are such; `fold_variants` also returns one at once when it has nothing to fold."""


def strip_tracking(url: str) -> str:
    """Drop tracking query parameters, keeping every other parameter as it was."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not _is_tracking(k)]
    if len(kept) == len(pairs):
        return url
    return urlunsplit(parts._replace(query=urlencode(kept)))


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _path_page(path: str) -> tuple[str, int] | None:
    """`(path before the page part, page number)` for `/slug/3/` and `/slug/page/3/`."""
    match = _TRAILING_NUMBER.search(path)
    if not match:
        return None
    prefix = path[: match.start()]
    number = int(match.group(1))
    last = prefix.rsplit("/", 1)[-1]
    if last.lower() == "page":
        return prefix[: -len("/page")] if prefix.endswith("/page") else prefix, number
    if not _SLUG.search(last) or _DATE_TAIL.search(prefix):
        return None  # `/berita/12345/2`, `/read/42` (ids) or `/2023/05/23` (a date), not a page
    if number > MAX_PATH_PAGE:
        return None
    return prefix, number


def page_number(url: str) -> int | None:
    """The part number a URL asks for (`?page=3`, `/slug/3/`), None for the first or whole page."""
    parts = urlsplit(url)
    if parts.query:
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if key.lower() in PAGE_PARAMS and value.isdigit():
                number = int(value)
                return number if number > 1 else None
    found = _path_page(parts.path)
    if found is not None and found[1] > 1:
        return found[1]
    return None


def fold_variants(url: str, home_host: str | None = None) -> str:
    """Fold AMP, mobile and paginated variants of an article URL into the article's own URL.

    `home_host` is the outlet's main host (from its profile): an `m.`/`amp.` host is replaced
    by it when given, else the prefix is simply removed.
    """
    plain = _PLAIN_URL.fullmatch(url)
    if (plain is not None and not _MOBILE_HOST.match(plain[1]) and "amp" not in plain[3].lower()
            and _TRAILING_NUMBER.search(plain[3]) is None):
        return url  # no mobile host, AMP part, page number or query: nothing to fold (most)
    parts = urlsplit(url)
    host, port = _host_port(parts)
    if _MOBILE_HOST.match(host):
        host = home_host.lower() if home_host else _MOBILE_HOST.sub("", host)
    netloc = f"{host}:{port}" if port else host

    trailing_slash = parts.path.endswith("/") and len(parts.path) > 1
    segments = [s for s in parts.path.split("/") if not _AMP_SEGMENT.match(s)]
    path = "/".join(segments) or "/"
    if path.endswith(".amp"):
        path = path[: -len(".amp")]
    if path.endswith("/amp.html"):
        path = path[: -len("/amp.html")] + ".html"
    if trailing_slash and not path.endswith("/"):
        path += "/"

    paged = _path_page(path)
    if paged is not None and paged[1] >= 1:
        path = paged[0] + ("/" if trailing_slash else "")

    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in PAGE_PARAMS and k.lower() not in AMP_PARAMS
    ]
    return urlunsplit((parts.scheme, netloc, path, urlencode(query), ""))


_DOTTED_QUAD = re.compile(r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
                          r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0[xX][0-9A-Fa-f]*")
"""The last label of a host that URL parsers read as an IPv4 address (`0x7f.1`, `127.1`)."""


def _is_plain(url: str) -> bool:
    """Whether w3lib's `canonicalize_url` returns `url` unchanged, known without it (most
    article URLs: it took ~20 us, half of a new URL's canonical form)."""
    match = _PLAIN_URL.fullmatch(url)
    if match is None:
        return False
    host, port, path = match.groups()
    last = host.rsplit(".", 1)[-1]
    if _NUMERIC_LABEL.fullmatch(last) and not _DOTTED_QUAD.fullmatch(host):
        return False  # an address written another way: the parser rewrites it
    if "xn--" in host or (port is not None and int(port) > 65535):
        return False
    return "/." not in path  # `/./`, `/../` (and any segment starting with a dot) resolved


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, drop default port, user info and fragment, sort the query
    (w3lib)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host, port = _host_port(parts)
    if (scheme, port) in (("http", "80"), ("https", "443")) or not port.isdigit():
        port = ""
    netloc = f"{host}:{port}" if port else host
    path = parts.path or "/"
    joined = urlunsplit((scheme, netloc, path, parts.query, ""))
    return joined if _is_plain(joined) else _w3lib_canonicalize(joined)


def _is_front_page(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def canonical_url(
    fetched_url: str,
    declared: str | None = None,
    *,
    owns: Callable[[str], bool] | None = None,
    home_host: str | None = None,
) -> str:
    """The canonical URL of an article page.

    `declared` is the page's `rel=canonical` (or `og:url`), resolved against `fetched_url`
    when relative, and used when `owns(declared)` says it is on the same outlet (without
    `owns`: when its host equals the fetched URL's host). A declared front page is ignored for
    an article URL: a template that points every page's canonical at `/` would otherwise fold
    the whole site into one article.
    """
    base = fetched_url.strip()
    if declared and declared.strip():
        target = urljoin(base, declared.strip())
        if target.startswith(("http://", "https://")):
            if owns is not None:
                same = owns(target)
            else:
                same = _host_port(urlsplit(target))[0] == _host_port(urlsplit(base))[0]
            if same and not (_is_front_page(target) and not _is_front_page(base)):
                base = target
    key = (base, home_host)
    found = _canonical_memo.get(key)
    if found is None:
        found = normalize_url(fold_variants(strip_tracking(base), home_host))
        if len(base) <= CANONICAL_MEMO_MAX_CHARS:  # a longer one is not kept: see the constant
            if len(_canonical_memo) >= CANONICAL_MEMO_SIZE:
                _canonical_memo.clear()
            _canonical_memo[key] = found
    return found


_canonical_memo: dict[tuple[str, str | None], str] = {}
"""`(URL, home host) -> canonical form`: a pure function of the two, so safe to share."""
