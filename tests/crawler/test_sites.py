"""Outlet profiles: the bundled ones load, a minimal one is enough, and every mistake in a
profile is refused with the file, the field and the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archive.errors import UsageError
from crawler.sites import (
    BUNDLED_DIR,
    ProfileError,
    dump_profile,
    load_profile,
    load_profiles,
    parse_profile,
    select_profiles,
    write_profile,
)
from tests.crawler.warta_run import run_warta

MINIMAL = {"name": "Kaltim Contoh", "homepage": "https://contoh.example/",
           "timezone": "Asia/Makassar"}


def write(folder: Path, key: str, text: str) -> Path:
    path = folder / f"{key}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_profiles_are_east_kalimantan_outlets_not_yet_checked() -> None:
    profiles = load_profiles()
    assert len(profiles) >= 5
    for profile in profiles.values():
        assert profile.timezone == "Asia/Makassar", profile.key
        assert profile.region.province == "Kalimantan Timur", profile.key
        assert profile.homepage.startswith("https://"), profile.key
        assert profile.checked is False, profile.key
        assert profile.path is not None and profile.path.parent == BUNDLED_DIR


def test_name_homepage_and_timezone_are_enough() -> None:
    profile = parse_profile("contoh", MINIMAL)
    assert (profile.name, profile.language, profile.checked) == ("Kaltim Contoh", "id", False)
    assert profile.domains == ("contoh.example",)
    assert profile.discovery.max_listing_pages == 5
    assert profile.source_record() == {"key": "contoh", "name": "Kaltim Contoh",
                                       "homepage": "https://contoh.example/",
                                       "timezone": "Asia/Makassar", "region": None}


def test_outlet_owns_its_host_subdomains_and_www_variant_only() -> None:
    profile = parse_profile("niaga", {**MINIMAL, "homepage": "https://www.niaga.example/"})
    assert profile.owns("https://niaga.example/berita/satu-dua-tiga")
    assert profile.owns("https://m.niaga.example/berita/satu-dua-tiga")
    assert not profile.owns("https://niaga.example.com/berita/satu-dua-tiga")
    assert not profile.owns("https://other.example/berita")


def test_outlets_on_one_host_are_told_apart_by_port() -> None:
    one = parse_profile("one", {**MINIMAL, "homepage": "http://127.0.0.1:8001/"})
    assert one.owns("http://127.0.0.1:8001/a/b/c")
    assert not one.owns("http://127.0.0.1:8002/a/b/c")


def test_user_folder_adds_profiles_and_overrides_a_bundled_key(tmp_path: Path) -> None:
    write(tmp_path, "kaltimpost", 'name = "Kaltim Post (mine)"\nhomepage = "https://kp.example/"\n'
                                  'timezone = "Asia/Makassar"\n')
    write(tmp_path, "lokal", 'name = "Lokal"\nhomepage = "https://lokal.example/"\n'
                             'timezone = "Asia/Jakarta"\n')
    profiles = load_profiles(tmp_path)
    assert profiles["kaltimpost"].name == "Kaltim Post (mine)"
    assert profiles["lokal"].timezone == "Asia/Jakarta"
    assert "tribunkaltim" in profiles


def test_sites_folder_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "lokal", 'name = "Lokal"\nhomepage = "https://lokal.example/"\n'
                             'timezone = "Asia/Jakarta"\n')
    monkeypatch.setenv("WARTA_SITES_DIR", str(tmp_path))
    assert "lokal" in load_profiles()


def test_missing_sites_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as err:
        load_profiles(tmp_path / "nope")
    assert str(err.value) == (f"{tmp_path / 'nope'}: the sites folder does not exist "
                              "(check --sites-dir or WARTA_SITES_DIR)")


def test_a_profile_sets_its_own_refresh_schedule() -> None:
    assert parse_profile("contoh", MINIMAL).refresh_hours is None  # the crawl's
    profile = parse_profile("contoh", {**MINIMAL, "refresh": {"hours": [2, 12, 48]}})
    assert profile.refresh_hours == (2.0, 12.0, 48.0)


BAD: list[tuple[dict[str, Any], str]] = [
    ({"homepage": "https://a.example/", "timezone": "Asia/Makassar"},
     "field 'name': is required"),
    ({**MINIMAL, "name": ""}, "field 'name': must be a non-empty string, got ''"),
    ({**MINIMAL, "homepage": "kaltimpost.example"},
     "field 'homepage': must be an http(s) URL, got 'kaltimpost.example'"),
    ({**MINIMAL, "timezone": "WITA"},
     "field 'timezone': unknown time zone 'WITA' (use e.g. Asia/Makassar for WITA)"),
    ({**MINIMAL, "language": "Indonesian"},
     "field 'language': 'Indonesian' is not a language code (e.g. 'id', 'en', 'bjn')"),
    ({**MINIMAL, "checked": "yes"}, "field 'checked': must be true or false"),
    ({**MINIMAL, "homepag": "x"}, "field 'homepag': unknown field (known: allowed_domains, "
     "checked, discovery, homepage, language, name, refresh, region, selectors, timezone)"),
    ({**MINIMAL, "allowed_domains": ["https://a.example/"]},
     "field 'allowed_domains': 'https://a.example/' is not a host name (give e.g. "
     "'kaltimpost.jawapos.com', without scheme or path)"),
    ({**MINIMAL, "region": "Samarinda"}, "field 'region': must be a table"),
    ({**MINIMAL, "region": {"kota": "Samarinda"}},
     "field 'region.kota': unknown field (known: city, province)"),
    ({**MINIMAL, "discovery": {"feeds": "/feed"}},
     "field 'discovery.feeds': must be an http(s) URL, got '/feed'"),
    ({**MINIMAL, "discovery": {"sitemaps": [1]}},
     "field 'discovery.sitemaps': must be a list of non-empty strings"),
    ({**MINIMAL, "discovery": {"pagination": "?page="}},
     "field 'discovery.pagination': must contain {n} where the page number goes"),
    ({**MINIMAL, "discovery": {"max_listing_pages": -1}},
     "field 'discovery.max_listing_pages': must be a whole number from 0 to 1000, got -1"),
    ({**MINIMAL, "discovery": {"max_listing_pages": True}},
     "field 'discovery.max_listing_pages': must be a whole number from 0 to 1000, got True"),
    ({**MINIMAL, "discovery": {"article_pattern": "(unclosed"}},
     "field 'discovery.article_pattern': not a valid regular expression "
     "(missing ), unterminated subpattern at position 0)"),
    ({**MINIMAL, "refresh": {"hours": [24, 6]}},
     "field 'refresh.hours': the ages must grow, each once (e.g. 1, 6, 24, 72)"),
    ({**MINIMAL, "refresh": {"hours": [0, 6]}},
     "field 'refresh.hours': 0: each age must be above 0 and at most 43920 hours"),
    ({**MINIMAL, "refresh": {"hours": "daily"}},
     "field 'refresh.hours': 'daily' is not a number of hours (e.g. 1, 6, 24, 72)"),
    ({**MINIMAL, "refresh": {"every": 6}},
     "field 'refresh.every': unknown field (known: hours)"),
    ({**MINIMAL, "selectors": {"titel": "h1"}},
     "field 'selectors.titel': unknown field (known: author, body, date, drop, related, "
     "section, title)"),
    ({**MINIMAL, "selectors": {"drop": [""]}},
     "field 'selectors.drop': must be a list of non-empty strings"),
    ({**MINIMAL, "selectors": {"body": "div.isi[["}},
     "field 'selectors.body': not a valid CSS selector 'div.isi[[' "
     "(Expected ident or '*', got <DELIM '[' at 8>)"),
    ({**MINIMAL, "selectors": {"title": "h1", "related": ["div.terkait a", "a[["]}},
     "field 'selectors.related': not a valid CSS selector 'a[[' "
     "(Expected ident or '*', got <DELIM '[' at 2>)"),
]


@pytest.mark.parametrize(("data", "message"), BAD, ids=[m.split(":")[0] + str(i)
                                                         for i, (_, m) in enumerate(BAD)])
def test_bad_profile_names_file_field_and_reason(tmp_path: Path, data: dict[str, Any],
                                                 message: str) -> None:
    path = tmp_path / "contoh.toml"
    with pytest.raises(ProfileError) as err:
        parse_profile("contoh", data, path)
    assert str(err.value) == f"{path}: {message}"


def test_bad_file_name_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "Kaltim Post", dump_profile(MINIMAL))
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert str(err.value) == (f"{path}: field 'key': the file name 'Kaltim Post' must be "
                              "lower-case letters, digits, '-' or '_'")


def test_invalid_toml_is_refused_with_the_parser_reason(tmp_path: Path) -> None:
    path = write(tmp_path, "rusak", 'name = "Rusak\n')
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert str(err.value).startswith(f"{path}: not valid TOML (")


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes('name = "Berita Daerah Ã©"\n'.encode("cp1252").replace(b"\xc3", b"\xff"))
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert str(err.value) == f"{path}: not UTF-8 text (save the profile as UTF-8)"


def test_one_bad_profile_in_a_folder_stops_loading_with_its_name(tmp_path: Path) -> None:
    write(tmp_path, "baik", dump_profile(MINIMAL))
    bad = write(tmp_path, "buruk", 'name = "Buruk"\nhomepage = "https://b.example/"\n')
    with pytest.raises(ProfileError) as err:
        load_profiles(tmp_path)
    assert str(err.value) == f"{bad}: field 'timezone': is required"


def test_warta_sites_refuses_a_selector_that_is_not_css(tmp_path: Path) -> None:
    # accepted before, and then every article of the outlet failed at crawl time (exit 0)
    path = write(tmp_path, "rusak", dump_profile({**MINIMAL, "selectors": {"date": "span..tgl"}}))
    result = run_warta("sites", "--sites-dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == (f"Error: {path}: field 'selectors.date': not a valid CSS selector "
                             "'span..tgl' (Expected ident, got <DELIM '.' at 5>)\n")


def test_select_profiles_keeps_the_order_given() -> None:
    chosen = select_profiles(["sapos", "kaltimpost", "sapos"])
    assert [p.key for p in chosen] == ["sapos", "kaltimpost"]


def test_select_all_profiles() -> None:
    assert [p.key for p in select_profiles(all_sites=True)] == sorted(load_profiles())


def test_unknown_site_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError) as err:
        select_profiles(["kaltimpos"])
    known = ", ".join(sorted(load_profiles()))
    assert str(err.value) == (f"unknown site 'kaltimpos': known sites are {known} "
                              "(see `warta sites`)")


@pytest.mark.parametrize(("keys", "all_sites", "message"), [
    ((), False, "name at least one site (see `warta sites`) or use --all"),
    (("sapos",), True, "give site keys or --all, not both"),
])
def test_select_needs_keys_or_all_but_not_both(keys: tuple[str, ...], all_sites: bool,
                                               message: str) -> None:
    with pytest.raises(UsageError) as err:
        select_profiles(keys, all_sites=all_sites)
    assert str(err.value) == message


def test_written_profile_loads_back_the_same(tmp_path: Path) -> None:
    data = {
        **MINIMAL, "language": "id", "checked": True,
        "allowed_domains": ["contoh.example", "127.0.0.1:8001"],
        "region": {"province": "Kalimantan Timur", "city": "Samarinda"},
        "discovery": {"sitemaps": ["https://contoh.example/sitemap.xml"],
                      "listings": ["https://contoh.example/daerah"], "pagination": "?page={n}",
                      "max_listing_pages": 3, "article_pattern": r"/\d{4}/\d{2}/\d{2}/\"x"},
        "selectors": {"title": "h1.judul", "related": ["div.baca-juga a"]},
    }
    path = write_profile(tmp_path, "contoh", data)
    assert load_profile(path) == parse_profile("contoh", data, path)


def test_write_profile_refuses_invalid_data(tmp_path: Path) -> None:
    with pytest.raises(ProfileError):
        write_profile(tmp_path, "contoh", {**MINIMAL, "timezone": "Mars/Olympus"})
    assert not (tmp_path / "contoh.toml").exists()
