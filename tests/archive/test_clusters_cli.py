"""What users see of the clusters: `warta clusters`, `warta show`'s copies, the
--original/--syndicated filters, export columns and the card, `warta stats --syndication`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive import Archive
from tests.archive.test_clusters import _key_of, _records


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "shared.db"
    with Archive(path) as archive:
        archive.write(_records())
        archive.update_clusters()
    return str(path)


def test_clusters_jsonl_one_cluster_a_line_original_first(warta, db: str) -> None:
    status, out, err = warta("clusters", "--format", "jsonl", "--db", db)
    lines = [json.loads(line) for line in out.splitlines()]
    assert (status, err) == (0, "")
    assert sorted(_key_of(c["original"]["url"]) for c in lines) == [
        "antara_niaga", "jalan_kp", "rilis_kp"]
    for cluster in lines:
        assert cluster["members"][0] == cluster["original"]
        assert set(cluster["members"][1]) >= {"url", "source", "published_at", "similarity"}
        assert cluster["cluster_id"] and cluster["outlets"] == 3


def test_clusters_table_filters_by_outlet_and_date(warta, db: str) -> None:
    status, out, _ = warta("clusters", "--source", "niagaasia", "--db", db)
    assert status == 0
    head, original, *_ = out.splitlines()
    assert head.startswith("cluster ") and "3 outlets · 3 articles" in head
    assert original.split()[:4] == ["original", "2024-06-04", "16:20", "niagaasia"]
    assert out.splitlines()[-1] == "1 clusters."
    assert warta("clusters", "--since", "2024-07-01", "--db", db)[1] == "No clusters match.\n"
    assert warta("clusters", "--min-outlets", "4", "--db", db)[1] == "No clusters match.\n"


def test_clusters_unknown_outlet_is_one_error_line(warta, db: str) -> None:
    status, out, err = warta("clusters", "--source", "nope", "--db", db)
    assert (status, out) == (2, "")
    assert err.startswith("Error: --source: unknown source 'nope'; the archive has: ")
    assert len(err.splitlines()) == 1


def test_clusters_says_when_articles_wait_and_update_clusters_them(
        warta, db: str, tmp_path: Path) -> None:
    with Archive(db) as archive:
        archive.write([{"url": "https://x.example/1", "source": "x", "title": "t",
                        "body": "Isi berita baru yang belum dikelompokkan sama sekali."}])
    assert warta("clusters", "--db", db)[2] == (
        "Note: 1 articles are not clustered yet; run `warta clusters --update`.\n")
    status, _, err = warta("clusters", "--update", "--db", db)
    assert status == 0 and err.startswith("Clustered 1 new or changed articles in ")


def test_update_never_creates_an_archive(warta, tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    status, _, err = warta("clusters", "--update", "--db", str(missing))
    assert (status, err.startswith(f"Error: no archive at {missing}: "), missing.exists()) == (
        1, True, False)


def test_show_lists_the_copies_and_the_region(warta, db: str) -> None:
    status, out, _ = warta("show", "https://sapos.example/berita/jalan_sapos", "--db", db)
    assert status == 0
    copies = out[out.index("Copies ("):].splitlines()
    assert copies[0].startswith("Copies (2 other articles, 3 outlets; cluster ")
    assert copies[1].startswith("  id 1 · kaltimpost · 2024-05-20T09:15:00+08:00 · original")
    assert "about      Kutai Kartanegara, Kalimantan Timur (from the body)" in out


def test_search_original_and_syndicated_split_the_matches(warta, db: str) -> None:
    def keys(*flags: str) -> set[str]:
        out = warta("search", "imunisasi polio", "--format", "jsonl", *flags, "--db", db)[1]
        return {_key_of(json.loads(line)["url"]) for line in out.splitlines()}

    assert keys("--original") == {"rilis_kp"}
    assert keys("--syndicated") == {"rilis_kk", "rilis_today"}


def test_exports_carry_cluster_id_is_original_and_the_card_counts_shared(
        warta, db: str, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    assert warta("export", "--out", str(out), "--card", "--db", db)[0] == 0
    rows = {_key_of(r["url"]): r for r in map(json.loads, out.read_text().splitlines())}
    assert rows["jalan_kp"]["cluster_id"] == rows["jalan_sapos"]["cluster_id"] is not None
    assert (rows["jalan_kp"]["is_original"], rows["jalan_sapos"]["is_original"],
            rows["banjir_a"]["is_original"], rows["banjir_a"]["cluster_id"]) == (1, 0, 1, None)
    assert rows["solo_ikn"]["region"] == "Penajam Paser Utara"
    card = Path(f"{out}.card.md").read_text()
    assert "- Shared stories: 9 of these 23 articles are in 3 clusters" in card
    assert "6 of them copies of an earlier article" in card


def test_stats_syndication_counts_original_shared_and_press_by_outlet(warta, db: str) -> None:
    status, out, _ = warta("stats", "--syndication", "--format", "csv", "--db", db)
    assert status == 0
    assert out.splitlines()[:3] == [
        "source,articles,original,shared,press_release",
        "kaltimpost,6,2,0,2", "kaltimtoday,3,0,2,2"]
    assert out.splitlines()[-1] == "total,24,3,6,9"


def test_search_collapse_keeps_one_row_per_story_also_in_n_outlets(warta, db: str) -> None:
    status, out, _ = warta("search", "polio", "--collapse-copies", "--db", db)
    titles = [line for line in out.splitlines() if not line.startswith(" ")]
    assert status == 0 and len(titles) == 1
    assert titles[0].endswith("(also in 2 outlets)")
    full = warta("search", "polio", "--db", db)[1]
    assert len([line for line in full.splitlines() if not line.startswith(" ")]) == 3
