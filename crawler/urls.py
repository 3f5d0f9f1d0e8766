"""URLs the crawler judges: scope, addresses it refuses, article-by-query paths.

The canonical forms of article URLs (tracking parameters, AMP, mobile and page variants) are
the archive's (`archive/urls.py`), re-exported here for the crawler's modules.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from archive import (
    AMP_PARAMS,
    PAGE_PARAMS,
    TRACKING_PARAMS,
    TRACKING_PREFIXES,
    canonical_url,
    fold_variants,
    normalize_url,
    page_number,
    strip_tracking,
)

if TYPE_CHECKING:
    from tldextract import TLDExtract

__all__ = [
    "AMP_PARAMS", "PAGE_PARAMS", "TRACKING_PARAMS", "TRACKING_PREFIXES", "canonical_url",
    "fold_variants", "normalize_url", "page_number", "strip_tracking",
]

_SCRIPT_PATH = re.compile(r"(?:^/?$|\.(?:php\d?|aspx?|jsp|cfm|cgi|pl)$)", re.IGNORECASE)
_ARTICLE_QUERY = re.compile(
    r"(?:^|&)(?!(?:page|halaman|hal|paging|q|s|search|cari|kategori|category|cat|tag|topik|"
    r"sort|order|lang|utm_\w+)=)[A-Za-z_]+=(?:\d{2,}|[A-Za-z0-9]+(?:-[A-Za-z0-9]+){2,})(?:&|$)",
    re.IGNORECASE,
)
_FRONT_CONTROLLER = re.compile(r"^/index\.php(?=/)", re.IGNORECASE)


def addresses_article_by_query(path: str, query: str) -> bool:
    """Whether a script or the site root names one item by id or slug in its query
    (`index.php?berita=5521`, `/?p=123`, `detail.php?id=42&judul=banjir-rendam-samarinda`),
    as legacy and default-permalink sites address articles; not a listing, a search or a page
    number (`?page=2`, `?s=banjir`, `?kategori=daerah`)."""
    return bool(query) and bool(_SCRIPT_PATH.search(path)) and bool(_ARTICLE_QUERY.search(query))


def strip_front_controller(path: str) -> str:
    """`/index.php/kesehatan/1873-judul` -> `/kesehatan/1873-judul`: PHP front controllers
    (Joomla's search-engine-friendly URLs without rewriting, CodeIgniter) put the script
    before the real path."""
    return _FRONT_CONTROLLER.sub("", path)


# --- where a request may go ---------------------------------------------------------------------

ADDRESS_CLASSES = ("unspecified", "loopback", "link_local", "multicast", "private", "reserved")
"""Addresses an outlet's documents may not send warta to (`address_class`): the machine
itself, the cloud metadata service (169.254.169.254 is link-local), the local network, and
everything else that is not a public internet address. An outlet that is itself on one of
these classes (the demo sites on 127.0.0.1, an intranet mirror) may use that class."""

_LOCALHOST_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
_IPV4_LIKE = re.compile(r"^(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}$")
"""The forms `inet_aton` (and so the resolver an HTTP client calls) reads as an IPv4 address:
dotted decimal, but also `2852039166`, `0xa9fea9fe`, `0251.0376.0251.0376`, `169.254.43518`."""

WEB_SCHEMES = ("http", "https")
"""The only schemes warta fetches: Scrapy would also read `file://`, `s3://`, `ftp://` and
`data:` URLs, which no news outlet's sitemap or link has a reason to name."""


def url_host(url: str) -> str:
    """A URL's host: lower case, no port, no brackets, no trailing dot ('' when none)."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".")


def ip_of(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address a host literally is (an IPv4-mapped IPv6 address as its IPv4 one), or
    None for a name. Pure parsing: nothing is resolved."""
    host = host.strip("[]").rstrip(".").lower()
    if not host:
        return None
    if ":" in host:
        try:
            ip6 = ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return None
        return ip6.ipv4_mapped or ip6
    if not _IPV4_LIKE.match(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


@functools.lru_cache(maxsize=4096)
def address_class(host: str) -> str | None:
    """Which of `ADDRESS_CLASSES` a host is in, by its literal form (an IP address, or
    `localhost` and names under `.localhost`); None for a public address or any other name.
    Remembered per host (a pure function of the text): the address guard asks it of every
    request, twice for an outlet on an IP address, and parsing and classifying an address
    costs ~1.5-3 us (Python 3.11; an earlier figure here said 30)."""
    host = host.strip("[]").rstrip(".").lower()
    if host in _LOCALHOST_NAMES or host.endswith(".localhost"):
        return "loopback"
    ip = ip_of(host)
    return None if ip is None else ip_class(ip)


def ip_class(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Which of `ADDRESS_CLASSES` an IP address is in (None: a public address)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "reserved"  # shared (100.64/10), documentation, benchmarking, 240/4 ...
    return None


def refused_address(url: str, outlet_url: str | None) -> str | None:
    """Why warta may not request `url` for an outlet whose homepage is `outlet_url`, judged on
    the URL alone (no DNS): `scheme` for anything but http(s), `no_host`, or the host's
    `address_class` when the outlet's own host is not in that same class. None: allowed.

    An outlet on loopback (the demo sites) may use loopback addresses, and only those; an
    outlet on a public name may use none of them."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return "no_host"
    if scheme not in WEB_SCHEMES:
        return "scheme"
    host = url_host(url)
    if not host:
        return "no_host"
    found = address_class(host)
    if found is None:
        return None
    if outlet_url is not None and address_class(url_host(outlet_url)) == found:
        return None
    return found


@functools.cache
def _public_suffixes() -> TLDExtract:
    """The public suffix list as bundled with tldextract (a snapshot: no download, no cache
    file), private suffixes included, so `a.blogspot.com` and `b.blogspot.com` are two owners.
    Loaded at the first question (tldextract and its list cost ~0.3 s to load, and most
    crawls never ask: only a robots.txt, sitemap or feed off the outlet's own hosts does)."""
    from tldextract import TLDExtract

    return TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


@functools.lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """The part of a host name one owner registers: `kaltimpost.jawapos.com` -> `jawapos.com`,
    `a.b.co.id` -> `b.co.id`. An IP address is its own; a name under a suffix the list does
    not know (`contoh.example`, `localhost`) keeps its last two labels."""
    host = host.strip("[]").rstrip(".").lower()
    if ip_of(host) is not None:
        return host
    found = _public_suffixes()(host)
    if found.suffix and found.domain:
        return f"{found.domain}.{found.suffix}"
    return ".".join(host.split(".")[-2:])
