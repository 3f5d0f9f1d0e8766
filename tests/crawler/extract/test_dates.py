"""Indonesian dates as pages show them, read into exact instants (crawler/extract/dates.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.extract.dates import (
    date_from_url,
    parse_date,
    parse_day_mention,
    parse_machine,
    resolve_year,
)

FETCHED = datetime(2023, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 WITA


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("Kamis, 5 November 2015 14:56 WIB", "2015-11-05T14:56:00+07:00"),
        ("Rabu, 4 November 2015 | 21:04 WIB", "2015-11-04T21:04:00+07:00"),
        ("Jum'at, 17 Februari 2017 - 13:30 wib", "2017-02-17T13:30:00+07:00"),
        ("Selasa, 23/02/2016 15:32 WIB", "2016-02-23T15:32:00+07:00"),
        ("on 16 Feb 2016 at 09:10 WIB", "2016-02-16T09:10:00+07:00"),
        ("Rabu, 24 Mei 2023 | 10:15 WITA", "2023-05-24T10:15:00+08:00"),
        ("1 Nop 2021 pukul 08.00 WIT", "2021-11-01T08:00:00+09:00"),
        ("23 Agt 2022 07:05 WITA", "2022-08-23T07:05:00+08:00"),
        ("12 Agu 2022, 19:00 WIB", "2022-08-12T19:00:00+07:00"),
        ("Senin, 3 Okt 2022 10:00 WITA", "2022-10-03T10:00:00+08:00"),
        ("Sabtu, 24 Des 2022 10:00 WITA", "2022-12-24T10:00:00+08:00"),
        ("Update: 23 Des 2022, 20:01 GMT+7", "2022-12-23T20:01:00+07:00"),
        ("May 23, 2023 10:15 am WITA", "2023-05-23T10:15:00+08:00"),
    ],
)
def test_shown_dates_with_zone_keep_that_zone(shown: str, expected: str) -> None:
    parsed = parse_date(shown, tz="Asia/Makassar", fetched_at=FETCHED)
    assert parsed is not None
    assert parsed.iso() == expected
    assert parsed.has_zone and parsed.raw == shown.removeprefix("on ").removeprefix("Update: ")


@pytest.mark.parametrize(
    ("line", "raw"),
    [
        ("Kompas.com - 22/05/2023, 10:15 WIB", "22/05/2023, 10:15 WIB"),
        (
            "Rabu, 24 Mei 2023 - 09:12:44 WITA | Oleh : Wahyu Hidayat | Dibaca : 341 kali",
            "Rabu, 24 Mei 2023 - 09:12:44 WITA",
        ),
        ("22 Mei 2023 Admin Diskominfo Dibaca 215 kali", "22 Mei 2023"),
        ("10:15 WIB, Senin 22 Mei 2023", "10:15 WIB, Senin 22 Mei 2023"),
        ("Selasa (23/5) 10.15 WITA", "Selasa (23/5) 10.15 WITA"),
        ("Diterbitkan 23 Mei 2023 (10:15 WITA)", "23 Mei 2023 (10:15 WITA)"),
        ("(10:15 WITA) 23 Mei 2023", "(10:15 WITA) 23 Mei 2023"),
    ],
)
def test_the_raw_value_is_the_date_as_shown_without_the_rest_of_its_line(
    line: str, raw: str
) -> None:
    parsed = parse_date(line, tz="Asia/Makassar", fetched_at=FETCHED, year_hints=[2023])
    assert parsed is not None and parsed.raw == raw


def test_a_time_without_zone_takes_the_outlets_zone() -> None:
    parsed = parse_date("23-05-2023 10:15", tz="Asia/Makassar", fetched_at=FETCHED)
    assert parsed is not None and parsed.iso() == "2023-05-23T10:15:00+08:00"
    assert not parsed.has_zone


def test_without_a_profile_the_default_zone_is_wib() -> None:
    parsed = parse_date("23/05/2023 10:15", fetched_at=FETCHED)
    assert parsed is not None and parsed.iso() == "2023-05-23T10:15:00+07:00"


def test_a_page_counter_after_the_date_is_not_read_as_a_time() -> None:
    parsed = parse_date("Kamis, 5 November 2015 | 1.229 Views", fetched_at=FETCHED)
    assert parsed is not None and parsed.iso() == "2015-11-05T00:00:00+07:00"
    assert not parsed.has_time


def test_weekday_short_date_takes_the_year_from_the_page_hint() -> None:
    parsed = parse_date("Selasa (23/5)", tz="Asia/Makassar", fetched_at=FETCHED, year_hints=[2023])
    assert parsed is not None and parsed.iso() == "2023-05-23T00:00:00+08:00"
    assert not parsed.has_year


def test_weekday_short_date_without_hint_takes_the_latest_year_matching_the_weekday() -> None:
    # 23 May fell on a Tuesday in 2023 and 2017; the fetch is in 2024
    fetched = datetime(2024, 3, 1, tzinfo=UTC)
    assert resolve_year(23, 5, weekday=1, fetched_at=fetched) == 2023


def test_a_year_hint_that_contradicts_the_weekday_is_not_used() -> None:
    # Selasa (23/5) cannot be 2022 (a Monday)
    assert resolve_year(23, 5, weekday=1, hints=[2022], fetched_at=FETCHED) == 2023


def test_a_missing_year_never_gives_a_future_date() -> None:
    # 20 December, fetched in June 2023: last year's December, not this year's
    assert resolve_year(20, 12, fetched_at=FETCHED) == 2022


def test_a_typo_year_is_replaced_from_context() -> None:
    parsed = parse_date("Rabu (4/11/205)", fetched_at=FETCHED, year_hints=[2015])
    assert parsed is not None and parsed.value.date().isoformat() == "2015-11-04"


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("2 jam lalu", "2023-06-01T08:00:00+08:00"),
        ("5 menit yang lalu", "2023-06-01T09:55:00+08:00"),
        ("3 hari lalu", "2023-05-29T10:00:00+08:00"),
        ("kemarin 21:30", "2023-05-31T21:30:00+08:00"),
        ("Hari ini, 07:45 WITA", "2023-06-01T07:45:00+08:00"),
        ("baru saja", "2023-06-01T10:00:00+08:00"),
    ],
)
def test_relative_dates_are_read_against_the_fetch_time(shown: str, expected: str) -> None:
    parsed = parse_date(shown, tz="Asia/Makassar", fetched_at=FETCHED)
    assert parsed is not None and parsed.relative
    assert parsed.iso() == expected


def test_relative_dates_need_a_fetch_time() -> None:
    assert parse_date("2 jam lalu") is None


@pytest.mark.parametrize(
    ("value", "expected", "zone_shown"),
    [
        ("2015-11-05T14:56:43+07:00", "2015-11-05T14:56:43+07:00", True),
        ("2016-02-16T02:10:56Z", "2016-02-16T02:10:56+00:00", True),
        ("2015-11-05 T10:08:58Z", "2015-11-05T10:08:58+00:00", True),
        ("2017-02-17 13:30:08", "2017-02-17T13:30:08+08:00", False),
        ("Thu, 05 Nov 2015 14:56:43 +0700", "2015-11-05T14:56:43+07:00", True),
        ("2023-05-23", "2023-05-23T00:00:00+08:00", False),
        # Java's Date.toString() in JSON-LD, and an Indonesian zone word in the same shape
        ("Fri Apr 28 19:20:36 CEST 2023", "2023-04-28T19:20:36+02:00", True),
        ("Tue, 23 May 2023 10:15:00 WIB", "2023-05-23T10:15:00+07:00", True),
        ("Fri, 28 Apr 2023 19:20:36 EDT", "2023-04-28T19:20:36-04:00", True),
        # `IST` names three offsets (India, Israel, Ireland): the outlet's zone, not a guess
        ("Fri, 28 Apr 2023 19:20:36 IST", "2023-04-28T19:20:36+08:00", False),
    ],
)
def test_machine_dates_from_meta_and_json_ld(value: str, expected: str, zone_shown: bool) -> None:
    parsed = parse_machine(value, "Asia/Makassar")
    assert parsed is not None
    assert (parsed.iso(), parsed.has_zone) == (expected, zone_shown)


@pytest.mark.parametrize("value", ["", "garbage", "0000-00-00 00:00:00", "2023-13-40"])
def test_machine_dates_that_are_not_dates_give_none(value: str) -> None:
    assert parse_machine(value) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.co.id/berita/2023/05/23/judul", (2023, 5, 23)),
        ("https://x.co.id/2023/05/judul", (2023, 5, None)),
        ("https://x.co.id/read/20230523/judul", (2023, 5, 23)),
        ("https://x.co.id/berita/546646/judul", None),
    ],
)
def test_date_paths_in_urls(url: str, expected: tuple[int, int, int | None] | None) -> None:
    assert date_from_url(url) == expected


def test_day_mention_reads_only_the_weekday_form() -> None:
    text = "Pria itu ditangkap pada 11 Juli 2015, lalu diserahkan ke kejaksaan, Rabu (4/11/2015)."
    parsed = parse_day_mention(text, fetched_at=FETCHED)
    assert parsed is not None and parsed.value.date().isoformat() == "2015-11-04"


def test_a_bare_day_and_month_is_read_when_nothing_fuller_is_there() -> None:
    parsed = parse_date("Selasa, 23/5 10:15 WITA", fetched_at=FETCHED, year_hints=[2023])
    assert parsed is not None and parsed.iso() == "2023-05-23T10:15:00+08:00"
    assert not parsed.has_year


@pytest.mark.parametrize(
    ("shown", "day", "has_year"),
    [
        # a two-digit year run into the clock of the next element: 28.09.19, 12:44
        ("28.09.1912:44", "2019-09-28", True),
        # a four-digit year before a colon and text is still the year
        ("Posted 28.09.2019: a note", "2019-09-28", True),
        # a year before 1990 alone is a typo: no year shown
        ("28.09.1912", "2022-09-28", False),
    ],
)
def test_a_two_digit_year_glued_to_a_clock_is_not_a_four_digit_year(
    shown: str, day: str, has_year: bool
) -> None:
    parsed = parse_date(shown, fetched_at=FETCHED)
    assert parsed is not None
    assert (parsed.value.date().isoformat(), parsed.has_year) == (day, has_year)


@pytest.mark.parametrize(
    ("shown", "day"),
    [
        ("Le 30 septembre 2018", "2018-09-30"),
        ("wurde am 19. Mai 2010 um 23:03 Uhr gepostet", "2010-05-19"),
        ("2 de abril de 2020", "2020-04-02"),
        ("Notizia del 14 Gennaio 2020", "2020-01-14"),
        ("1. März 2022", "2022-03-01"),
        ("Selasa, 23 Mei 2023", "2023-05-23"),  # Indonesian names keep their months
    ],
)
def test_european_month_names(shown: str, day: str) -> None:
    parsed = parse_date(shown, fetched_at=FETCHED)
    assert parsed is not None and parsed.value.date().isoformat() == day


@pytest.mark.parametrize("shown", ["Rp 1.5 mars 2020", "de abril", "mayo 2020"])
def test_a_month_name_without_its_day_is_no_date(shown: str) -> None:
    assert parse_date(shown, fetched_at=FETCHED) is None


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("Von Deutscher Tennis Bund 4. 2. 2022.", "2022-02-04"),  # spaced after the dots
        ("4.2.2022", "2022-02-04"),
        ("Platz 1. 2. 10 Teams", None),  # spaced numbers without a four-digit year
    ],
)
def test_a_dotted_date_spaced_after_its_dots_is_day_first(shown: str, expected: str | None
                                                          ) -> None:
    parsed = parse_date(shown, tz="Europe/Berlin", fetched_at=FETCHED)
    assert (parsed.value.date().isoformat() if parsed else None) == expected
