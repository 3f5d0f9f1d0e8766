"""The regency or city an article is about (archive/regions.py), on the fixtures written for
the project and on the hard cases: a dateline over the body, names that are common words."""

from __future__ import annotations

from pathlib import Path

from archive import Archive
from archive.regions import gazetteer, tag
from tests.archive import syndication_fixtures as fx
from tests.archive.test_clusters import _key_of, _records


def test_nine_in_ten_fixture_articles_get_the_region_their_truth_names(tmp_path: Path) -> None:
    with Archive(tmp_path / "regions.db") as archive:
        archive.write(_records(set(fx.REGION)))
        archive.update_clusters()
        tagged = {_key_of(url): region for url, region in archive.connection.execute(
            "SELECT a.url, r.region FROM article_regions r JOIN articles a ON a.id = r.article_id")}
    right = [key for key, region in fx.REGION.items() if tagged.get(key) == region]
    assert len(right) / len(fx.REGION) >= 0.9, {k: tagged.get(k) for k in fx.REGION
                                                 if k not in right}


def _region_of(archive: Archive, key: str) -> str | None:
    row = archive.connection.execute(
        "SELECT r.region FROM articles a LEFT JOIN article_regions r ON r.article_id = a.id "
        "WHERE a.url LIKE ?", (f"%/{key}",)).fetchone()
    return row[0] if row else None


def test_a_new_version_about_another_place_is_tagged_again(tmp_path: Path) -> None:
    with Archive(tmp_path / "edited.db") as archive:
        (record,) = _records({"solo_pasar"})  # Paser, by its dateline
        archive.write([record])
        archive.update_clusters()
        assert _region_of(archive, "solo_pasar") == "Paser"
        archive.write([{**record, "dateline": None, "title": "Harga Daging Sapi di Bontang Naik",
                        "body": record["body"].replace("Tanah Grogot", "Bontang")
                        .replace("Paser", "Bontang")}])
        archive.update_clusters()
        assert _region_of(archive, "solo_pasar") == "Bontang"


def test_a_dateline_read_again_retags_the_article(tmp_path: Path) -> None:
    """`warta reextract` rewrites a row whose title and body stayed (`force`): a dateline
    it now reads names the region."""
    with Archive(tmp_path / "reread.db") as archive:
        (record,) = _records({"solo_sekolah"})  # no dateline: Mahakam Ulu, by its body
        archive.write([record])
        archive.update_clusters()
        assert _region_of(archive, "solo_sekolah") == "Mahakam Ulu"
        archive.write([{**record, "dateline": "SENDAWAR"}], force=True)
        archive.update_clusters()
        assert _region_of(archive, "solo_sekolah") == "Kutai Barat"


def test_the_dateline_comes_first_and_a_district_names_its_regency() -> None:
    found = tag("Tenggarong", "Wali Kota Samarinda hadiri rapat", "Samarinda dan Samarinda.")
    assert (found.region, found.province, found.stage) == (
        "Kutai Kartanegara", "Kalimantan Timur", "dateline")


def test_east_kalimantan_before_the_rest_of_the_country() -> None:
    found = tag(None, "Menteri dari Jakarta ke Surabaya", "Rombongan dari Surabaya dan "
                "Surabaya tiba di Bontang untuk meninjau pabrik pupuk.")
    assert (found.region, found.stage) == ("Bontang", "body")


def test_names_that_are_common_words_are_not_places() -> None:
    """`batu bara` is coal, `pasir` sand; Batu (Jawa Timur) and Pasir (Paser) are not meant."""
    found = tag(None, "Harga batu bara naik", "Ekspor batu bara dan pasir laut meningkat.")
    assert (found.region, found.province) == (None, None)


def test_a_name_written_in_lower_case_in_the_body_is_not_a_place() -> None:
    assert tag(None, "Rapat", "Ia berkata berau sekali rasanya.").region is None
    assert tag(None, "Rapat", "Ia pergi ke Berau.").region == "Berau"


def test_every_gazetteer_name_is_stored_normalized() -> None:
    assert all(name == " ".join(name.lower().replace("-", " ").split())
               for name in gazetteer())


def test_counts_by_region_lists_east_kalimantan_first_and_plots(warta, tmp_path: Path) -> None:
    db = tmp_path / "counts.db"
    with Archive(db) as archive:
        archive.write(_records(set(fx.REGION)))
        archive.update_clusters()
    status, out, _ = warta("counts", "polio", "--by", "region", "--format", "csv",
                           "--plot", str(tmp_path / "coverage.png"), "--db", str(db))
    lines = out.splitlines()
    assert (status, lines[0]) == (0, "region,province,matching,all,share")
    assert [line.split(",")[0] for line in lines[1:11]] == [
        "Balikpapan", "Samarinda", "Bontang", "Kutai Kartanegara", "Kutai Timur", "Kutai Barat",
        "Berau", "Paser", "Penajam Paser Utara", "Mahakam Ulu"]
    assert lines[2] == "Samarinda,Kalimantan Timur,3,6,0.5"
    assert lines[6] == "Kutai Barat,Kalimantan Timur,0,0,"
    assert (tmp_path / "coverage.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_search_about_a_place_keeps_the_articles_tagged_with_it(warta, tmp_path: Path) -> None:
    db = tmp_path / "about.db"
    with Archive(db) as archive:
        archive.write(_records(set(fx.REGION)))
        archive.update_clusters()
    out = warta("search", "--about", "kutai", "--format", "jsonl", "--db", str(db))[1]
    found = {_key_of(line.split('"url": "', 1)[1].split('"', 1)[0]) for line in out.splitlines()}
    assert found == {"jalan_kp", "jalan_sapos", "jalan_today", "kolom_3", "solo_tambang"}
