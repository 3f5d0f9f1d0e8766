"""Outlet profiles: one TOML file per outlet, loaded and validated into a typed `SiteProfile`.

Sites are data, not code. The file name is the outlet key (`kaltimpost.toml` -> `kaltimpost`).
For an outlet whose pages carry standard metadata, `name`, `homepage` and `timezone` are
enough; everything else is optional and refines discovery or extraction:

```toml
name = "Kaltim Post"
homepage = "https://kaltimpost.jawapos.com/"
timezone = "Asia/Makassar"          # WITA; the zone used when a page shows none
language = "id"
checked = false                      # true once checked against live pages
allowed_domains = ["kaltimpost.jawapos.com"]

[region]
province = "Kalimantan Timur"
city = "Balikpapan"

[discovery]
sitemaps = ["https://kaltimpost.jawapos.com/sitemap.xml"]
feeds = ["https://kaltimpost.jawapos.com/feed"]
listings = ["https://kaltimpost.jawapos.com/kaltim"]
pagination = "?page={n}"             # appended to listing URLs, or a full pattern with {n}
max_listing_pages = 5
article_pattern = "/\\d{4}/\\d{2}/\\d{2}/"   # regex an article URL matches

[refresh]                            # when archived articles are checked again for edits
hours = [1, 6, 24, 72]               # hours after publication (default WARTA_REFRESH_HOURS)

[selectors]                          # CSS selectors that override the generic chain
title = "h1.entry-title"
body = "div.entry-content"
date = "span.date"
author = "span.author a"
related = ["div.baca-juga a"]
drop = ["div.ads", "figure.iklan"]
```

A bad profile is refused with `ProfileError`, whose message names the file, the field and
the reason; a selector that is not valid CSS is refused too (`selectors.py` compiles them).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from archive import UsageError
from crawler.refresh import parse_hours
from crawler.sites.selectors import SelectorError, compile_selector
from crawler.urls import registrable_domain, url_host

BUNDLED_DIR = Path(__file__).parent
"""The profiles that ship with warta."""

SITES_DIR_ENV = "WARTA_SITES_DIR"
"""Environment variable naming a user folder of profiles (same role as `--sites-dir`)."""

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

_LABEL = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?"
_DOMAIN_RE = re.compile(rf"^{_LABEL}(\.{_LABEL})*(:\d{{1,5}})?$")
"""A host name, optionally with a port (loopback test sites run on their own ports)."""

_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

MAX_LISTING_PAGES = 1000
"""Upper bound on `discovery.max_listing_pages`: a daily crawl needs a handful of pages, a
back-fill of a few years of a busy outlet some hundreds; more is almost surely a typo."""

SELECTOR_FIELDS = ("title", "body", "date", "author", "section", "related", "drop")
"""Selector names a profile may set; `related` and `drop` take a list, the others a string."""


class ProfileError(UsageError):
    """A profile that cannot be used: the message names the file, the field and the reason."""


@dataclass(frozen=True)
class Region:
    province: str | None = None
    city: str | None = None

    def label(self) -> str | None:
        """`city, province` as one string for the archive's `region` column."""
        parts = [p for p in (self.city, self.province) if p]
        return ", ".join(parts) or None


@dataclass(frozen=True)
class Discovery:
    """Where to find article URLs besides robots.txt, sitemaps and feeds found on the homepage."""

    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    pagination: str | None = None
    max_listing_pages: int = 5
    article_pattern: str | None = None

    def is_article_url(self, url: str) -> bool | None:
        """True/False when the profile has an article pattern, None when it does not say."""
        if not self.article_pattern:
            return None
        return re.search(self.article_pattern, url) is not None


@dataclass(frozen=True)
class Selectors:
    title: str | None = None
    body: str | None = None
    date: str | None = None
    author: str | None = None
    section: str | None = None
    related: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteProfile:
    """One outlet: who it is, where its articles are, and how to read them."""

    key: str
    name: str
    homepage: str
    timezone: str
    language: str = "id"
    checked: bool = False
    allowed_domains: tuple[str, ...] = ()
    region: Region = field(default_factory=Region)
    discovery: Discovery = field(default_factory=Discovery)
    selectors: Selectors = field(default_factory=Selectors)
    path: Path | None = None
    refresh_hours: tuple[float, ...] | None = None
    """`[refresh] hours`: when an archived article is checked again for edits, in hours after
    its publication (`crawler.refresh`); None: the crawl's `WARTA_REFRESH_HOURS`."""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def home_host(self) -> str | None:
        """The homepage's host name (lower case, no port): the host that `m.`/`amp.` variants
        of the outlet's URLs fold into (`crawler.urls.canonical_url`). Found once per profile:
        the spider and the pipelines ask for it on every article."""
        return urlsplit(self.homepage).hostname

    @property
    def domains(self) -> tuple[str, ...]:
        """Hosts (with port, when the homepage has one) that count as this outlet: the
        `allowed_domains`, else the homepage's host without a leading `www.` (so that
        `https://www.niaga.asia/` also owns `niaga.asia` and its `m.` host)."""
        if self.allowed_domains:
            return self.allowed_domains
        netloc = urlsplit(self.homepage).netloc.lower()
        return (netloc.removeprefix("www."),)

    def owns(self, url: str) -> bool:
        """Whether `url` belongs to this outlet (same host or a subdomain of an allowed one)."""
        netloc = urlsplit(url).netloc.lower()
        host = netloc.split(":")[0] if ":" in netloc else netloc
        for domain in self.domains:
            if netloc == domain or host == domain:
                return True
            bare = domain.split(":")[0]
            if ":" not in domain and (host == bare or host.endswith("." + bare)):
                return True
        return False

    @cached_property
    def discovery_scope(self) -> tuple[frozenset[str], frozenset[str]]:
        """`(registrable domains, hosts)` that robots.txt, sitemaps and feeds may be fetched
        from: the registrable domain of the homepage and of each allowed domain (a sitemap on
        `cdn.outlet.co.id` for `www.outlet.co.id`), and the hosts of the sitemaps and feeds the
        profile itself declares (a person chose those)."""
        hosts = {url_host(self.homepage)}
        hosts.update(d.split(":")[0] for d in self.allowed_domains)
        listed = {url_host(u) for u in (*self.discovery.sitemaps, *self.discovery.feeds)}
        return (frozenset(registrable_domain(h) for h in hosts if h),
                frozenset(h for h in listed if h))

    def may_discover_from(self, url: str) -> bool:
        """Whether a robots.txt, sitemap or feed at `url` may be fetched for this outlet: the
        outlet owns it, or it is on the outlet's registrable domain (`discovery_scope`), or on
        a host the profile's own sitemaps and feeds name. Never because another sitemap or a
        robots.txt points there: an outlet's documents cannot widen its reach."""
        if self.owns(url):
            return True
        host = url_host(url)
        if not host:
            return False
        domains, hosts = self.discovery_scope
        return host in hosts or registrable_domain(host) in domains

    def source_record(self) -> dict[str, Any]:
        """The fields the archive's `sources` table keeps for this outlet."""
        return {
            "key": self.key,
            "name": self.name,
            "homepage": self.homepage,
            "timezone": self.timezone,
            "region": self.region.label(),
        }


def _fail(path: Path | str, field_name: str, reason: str) -> ProfileError:
    return ProfileError(f"{path}: field '{field_name}': {reason}")


def _str(data: Mapping[str, Any], name: str, path: Path | str, *, required: bool = False,
         prefix: str = "") -> str | None:
    value = data.get(name)
    label = prefix + name
    if value is None:
        if required:
            raise _fail(path, label, "is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, label, f"must be a non-empty string, got {value!r}")
    return value.strip()


def _str_list(data: Mapping[str, Any], name: str, path: Path | str,
              prefix: str = "") -> tuple[str, ...]:
    value = data.get(name, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, prefix + name, "must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _url(value: str | None, name: str, path: Path | str) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _fail(path, name, f"must be an http(s) URL, got {value!r}")
    return value


def _check_keys(data: Mapping[str, Any], allowed: Iterable[str], path: Path | str,
                prefix: str = "") -> None:
    allowed = set(allowed)
    for name in data:
        if name not in allowed:
            raise _fail(path, prefix + name, f"unknown field (known: {', '.join(sorted(allowed))})")


def _section(data: Mapping[str, Any], name: str, path: Path | str) -> Mapping[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise _fail(path, name, "must be a table")
    return value


def parse_profile(key: str, data: Mapping[str, Any], path: Path | str = "<profile>") -> SiteProfile:
    """Validate one profile's data into a `SiteProfile`, or raise `ProfileError`."""
    if not KEY_RE.match(key):
        raise _fail(path, "key",
                    f"the file name {key!r} must be lower-case letters, digits, '-' or '_'")
    _check_keys(data, ("name", "homepage", "timezone", "language", "checked", "allowed_domains",
                       "region", "discovery", "selectors", "refresh"), path)
    name = _str(data, "name", path, required=True)
    homepage = _url(_str(data, "homepage", path, required=True), "homepage", path)
    timezone = _str(data, "timezone", path, required=True)
    assert name and homepage and timezone
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(path, "timezone",
                    f"unknown time zone {timezone!r} (use e.g. Asia/Makassar for WITA)") from None
    language = _str(data, "language", path) or "id"
    if not _LANGUAGE_RE.match(language):
        raise _fail(path, "language",
                    f"{language!r} is not a language code (e.g. 'id', 'en', 'bjn')")
    checked = data.get("checked", False)
    if not isinstance(checked, bool):
        raise _fail(path, "checked", "must be true or false")
    allowed_domains = tuple(d.lower() for d in _str_list(data, "allowed_domains", path))
    for domain in allowed_domains:
        if not _DOMAIN_RE.match(domain):
            raise _fail(path, "allowed_domains",
                        f"{domain!r} is not a host name (give e.g. 'kaltimpost.jawapos.com', "
                        "without scheme or path)")

    region_data = _section(data, "region", path)
    _check_keys(region_data, ("province", "city"), path, "region.")
    region = Region(province=_str(region_data, "province", path, prefix="region."),
                    city=_str(region_data, "city", path, prefix="region."))

    disc = _section(data, "discovery", path)
    _check_keys(disc, ("sitemaps", "feeds", "listings", "pagination", "max_listing_pages",
                       "article_pattern"), path, "discovery.")
    urls: dict[str, tuple[str, ...]] = {}
    for list_name in ("sitemaps", "feeds", "listings"):
        values = _str_list(disc, list_name, path, "discovery.")
        for v in values:
            _url(v, f"discovery.{list_name}", path)
        urls[list_name] = values
    pattern = _str(disc, "article_pattern", path, prefix="discovery.")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _fail(path, "discovery.article_pattern",
                        f"not a valid regular expression ({exc})") from None
    max_pages = disc.get("max_listing_pages", 5)
    if (not isinstance(max_pages, int) or isinstance(max_pages, bool)
            or not 0 <= max_pages <= MAX_LISTING_PAGES):
        raise _fail(path, "discovery.max_listing_pages",
                    f"must be a whole number from 0 to {MAX_LISTING_PAGES}, got {max_pages!r}")
    pagination = _str(disc, "pagination", path, prefix="discovery.")
    if pagination is not None and "{n}" not in pagination:
        raise _fail(path, "discovery.pagination", "must contain {n} where the page number goes")
    discovery = Discovery(sitemaps=urls["sitemaps"], feeds=urls["feeds"], listings=urls["listings"],
                          pagination=pagination, max_listing_pages=max_pages,
                          article_pattern=pattern)

    sel = _section(data, "selectors", path)
    _check_keys(sel, SELECTOR_FIELDS, path, "selectors.")
    selectors = Selectors(
        title=_str(sel, "title", path, prefix="selectors."),
        body=_str(sel, "body", path, prefix="selectors."),
        date=_str(sel, "date", path, prefix="selectors."),
        author=_str(sel, "author", path, prefix="selectors."),
        section=_str(sel, "section", path, prefix="selectors."),
        related=_str_list(sel, "related", path, "selectors."),
        drop=_str_list(sel, "drop", path, "selectors."),
    )
    _check_selectors(selectors, path)
    refresh = _section(data, "refresh", path)
    _check_keys(refresh, ("hours",), path, "refresh.")
    refresh_hours = None
    if "hours" in refresh:
        try:
            refresh_hours = parse_hours(refresh["hours"])
        except ValueError as exc:
            raise _fail(path, "refresh.hours", str(exc)) from None
    return SiteProfile(key=key, name=name, homepage=homepage, timezone=timezone, language=language,
                       checked=checked, allowed_domains=allowed_domains, region=region,
                       discovery=discovery, selectors=selectors,
                       path=Path(path) if not isinstance(path, Path) else path,
                       refresh_hours=refresh_hours)


def _check_selectors(selectors: Selectors, where: Path | str) -> None:
    """Compile every selector (`selectors.compile_selector`), or raise `ProfileError` naming
    the field and the selector."""
    for name in SELECTOR_FIELDS:
        value = getattr(selectors, name)
        for selector in value if isinstance(value, tuple) else (value,) if value else ():
            try:
                compile_selector(selector)
            except SelectorError as exc:
                raise _fail(where, f"selectors.{name}",
                            f"not a valid CSS selector {selector!r} ({exc})") from None


def validate_selectors(profile: SiteProfile) -> None:
    """Raise `ProfileError` (a `UsageError`) naming the profile, field and selector when one
    is not valid CSS. `parse_profile` already does this for every profile it loads; this is
    for a `SiteProfile` built by hand."""
    _check_selectors(profile.selectors, profile.path or profile.key)


def load_profile(path: Path) -> SiteProfile:
    """Read and validate one `<key>.toml` file."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise ProfileError(f"{path}: not UTF-8 text (save the profile as UTF-8)") from None
    except OSError as exc:
        raise ProfileError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_profile(path.stem, data, path)


def profile_dirs(sites_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The folders profiles are read from: bundled first, then the user's (which win on a key)."""
    dirs = [BUNDLED_DIR]
    user = sites_dir if sites_dir is not None else os.environ.get(SITES_DIR_ENV)
    if user:
        user_path = Path(user)
        if not user_path.is_dir():
            raise ProfileError(f"{user_path}: the sites folder does not exist "
                               f"(check --sites-dir or {SITES_DIR_ENV})")
        dirs.append(user_path)
    return dirs


def _bundled_profiles() -> list[SiteProfile]:
    """The profiles that ship with warta. Read as package resources when warta runs from a
    zipped egg (Scrapyd runs a deployed project that way), where there is no folder to list."""
    if BUNDLED_DIR.is_dir():
        return [load_profile(path) for path in sorted(BUNDLED_DIR.glob("*.toml"))]
    found = []
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            found.append(parse_profile(entry.name.removesuffix(".toml"), data,
                                       BUNDLED_DIR / entry.name))
    return found


def load_profiles(sites_dir: str | os.PathLike[str] | None = None) -> dict[str, SiteProfile]:
    """All profiles by key; a user folder's profile replaces a bundled one of the same key."""
    profiles: dict[str, SiteProfile] = {}
    for folder in profile_dirs(sites_dir):
        found = (_bundled_profiles() if folder == BUNDLED_DIR
                 else [load_profile(path) for path in sorted(folder.glob("*.toml"))])
        for profile in found:
            profiles[profile.key] = profile
    return profiles


def get_profile(key: str, sites_dir: str | os.PathLike[str] | None = None) -> SiteProfile:
    profiles = load_profiles(sites_dir)
    try:
        return profiles[key]
    except KeyError:
        known = ", ".join(sorted(profiles)) or "none"
        raise ProfileError(
            f"unknown site {key!r}: known sites are {known} (see `warta sites`)") from None


def select_profiles(keys: Iterable[str] = (), *, all_sites: bool = False,
                    sites_dir: str | os.PathLike[str] | None = None) -> list[SiteProfile]:
    """The profiles a crawl asks for: `keys` in the order given, or every profile with
    `all_sites`. An unknown key is refused with the list of known ones."""
    profiles = load_profiles(sites_dir)
    wanted = list(dict.fromkeys(keys))
    if all_sites:
        if wanted:
            raise UsageError("give site keys or --all, not both")
        if not profiles:
            raise UsageError(
                "there are no site profiles to crawl (add KEY.toml files to --sites-dir)")
        return [profiles[k] for k in sorted(profiles)]
    if not wanted:
        raise UsageError("name at least one site (see `warta sites`) or use --all")
    unknown = [k for k in wanted if k not in profiles]
    if unknown:
        known = ", ".join(sorted(profiles)) or "none"
        label = "site" if len(unknown) == 1 else "sites"
        raise ProfileError(f"unknown {label} {', '.join(map(repr, unknown))}: known sites are "
                           f"{known} (see `warta sites`)")
    return [profiles[k] for k in wanted]


# --- writing profiles ---------------------------------------------------------------------------

def _toml_value(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # A JSON string with non-ASCII kept is a valid TOML basic string (same escapes).
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v, where) for v in value) + "]"
    raise TypeError(f"{where}: cannot write {type(value).__name__} to TOML")


def dump_profile(data: Mapping[str, Any]) -> str:
    """Profile data (as `parse_profile` takes it) as TOML text: top-level values first, then
    one `[table]` per nested mapping. `None` values are left out."""
    lines: list[str] = []
    tables: list[tuple[str, Mapping[str, Any]]] = []
    for name, value in data.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            tables.append((name, value))
        else:
            lines.append(f"{name} = {_toml_value(value, name)}")
    for name, table in tables:
        lines.append("")
        lines.append(f"[{name}]")
        for sub, value in table.items():
            if value is None:
                continue
            if isinstance(value, Mapping):
                raise TypeError(f"{name}.{sub}: profiles nest tables one level deep only")
            lines.append(f"{sub} = {_toml_value(value, f'{name}.{sub}')}")
    return "\n".join(lines) + "\n"


def write_profile(folder: str | os.PathLike[str], key: str, data: Mapping[str, Any]) -> Path:
    """Validate `data` and write it as `folder/KEY.toml`; returns the file's path."""
    path = Path(folder) / f"{key}.toml"
    parse_profile(key, data, path)
    path.write_text(dump_profile(data), encoding="utf-8")
    return path


def spider_profiles(crawler: Any) -> Mapping[str, SiteProfile]:
    """The outlet profiles of a crawl's spider (the `news` spider sets `profiles`; the spider
    exists before the downloader, its middlewares and the item pipelines are built)."""
    return getattr(crawler.spider, "profiles", None) or {}
