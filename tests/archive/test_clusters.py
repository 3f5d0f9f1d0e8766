"""Near-duplicate clusters across outlets (archive/clusters.py) on the fixtures written for
the project (tests/archive/syndication_fixtures.py), in real archive files."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from archive.clusters import BOILER_MIN_DOCS, MAX_BODY_CHARS, Shingler, is_similar, similarity
from tests.archive import syndication_fixtures as fx


def _records(keys: set[str] | None = None) -> list[dict[str, Any]]:
    out = []
    for item in fx.articles():
        key = item.pop("key")
        if keys is None or key in keys:
            out.append({k: v for k, v in item.items() if v is not None})
    return out


def _key_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _clusters(archive: Archive) -> dict[str, int]:
    """article key -> cluster id, for the clustered articles."""
    return {_key_of(url): cluster for url, cluster in archive.connection.execute(
        "SELECT a.url, ac.cluster_id FROM article_clusters ac "
        "JOIN articles a ON a.id = ac.article_id")}


def _pairs(groups: dict[str, Any]) -> set[frozenset[str]]:
    by: dict[Any, list[str]] = {}
    for key, group in groups.items():
        if group is not None:
            by.setdefault(group, []).append(key)
    return {frozenset(p) for members in by.values() for p in itertools.combinations(members, 2)}


@pytest.fixture
def clustered(tmp_path: Path) -> Archive:
    archive = Archive(tmp_path / "shared.db")
    archive.write(_records())
    archive.update_clusters()
    return archive


def test_same_story_pairs_found_with_precision_and_recall_of_095(clustered: Archive) -> None:
    found = _pairs(dict(_clusters(clustered)))
    truth = _pairs(dict(fx.TRUTH))
    precision = len(found & truth) / len(found)
    recall = len(found & truth) / len(truth)
    assert (precision >= 0.95, recall >= 0.95) == (True, True), (found ^ truth)


def test_near_misses_stay_apart(clustered: Archive) -> None:
    clusters = _clusters(clustered)
    # two stories on the same flood, day and officials; a weekly column's standing opening
    for key in ("banjir_a", "banjir_b", "kolom_1", "kolom_2", "kolom_3"):
        assert key not in clusters, key


def test_the_earliest_publication_is_the_original_of_every_cluster(clustered: Archive) -> None:
    originals = {}
    for cluster in clustered.clusters(min_outlets=1):
        story = fx.TRUTH[_key_of(cluster["original"]["url"])]
        originals[story] = _key_of(cluster["original"]["url"])
        assert [m["is_original"] for m in cluster["members"]].count(True) == 1
    assert originals == fx.ORIGINALS


def test_three_outlets_within_three_days_mark_a_likely_press_release(
        clustered: Archive) -> None:
    marked = {fx.TRUTH[_key_of(c["original"]["url"])]: c["press_reason"]
              for c in clustered.clusters()}
    assert marked == {"jalan": "3 outlets within 3 days", "antara": "3 outlets within 3 days",
                      "rilis": "3 outlets within 3 days; sign-off or wording"}


def test_a_release_sign_off_marks_two_outlets_and_its_absence_does_not(
        tmp_path: Path) -> None:
    with Archive(tmp_path / "two.db") as archive:
        archive.write(_records({"jalan_kp", "jalan_sapos", "rilis_kp", "rilis_kk"}))
        archive.update_clusters()
        marked = {_key_of(c["original"]["url"]): c["press_release"] for c in archive.clusters()}
    assert marked == {"jalan_kp": False, "rilis_kp": True}


def test_footer_only_one_line_and_empty_bodies_are_never_clustered(clustered: Archive) -> None:
    clusters = _clusters(clustered)
    assert {"footer_only_1", "footer_only_2", "one_line", "empty"} & set(clusters) == set()


def test_an_outlets_footer_is_its_boilerplate(clustered: Archive) -> None:
    """The footer of every kaltimpost article is left out: its shingles are boilerplate."""
    footer = Shingler().shingles(fx.FOOTERS["kaltimpost"])
    stored = {row[0] for row in clustered.connection.execute(
        "SELECT shingle FROM cluster_boilerplate WHERE source = 'kaltimpost'")}
    signed = {int(v) - (1 << 64) if int(v) >= 1 << 63 else int(v) for v in footer.tolist()}
    assert signed <= stored and BOILER_MIN_DOCS <= 3


def test_no_chaining_a_member_must_resemble_the_representative(tmp_path: Path) -> None:
    """A~B and B~C, but A and C share little: C does not join A's cluster through B."""
    paragraphs = [*fx.JALAN, *fx.RILIS, fx.ANTARA[0]]
    records = [
        {"url": f"https://{src}.example/{name}", "source": src, "title": name,
         "body": "\n\n".join(paragraphs[lo:hi]), "published_at": f"2024-07-0{day}T10:00:00+08:00"}
        for name, src, lo, hi, day in (("a", "kaltimpost", 0, 8, 1), ("b", "sapos", 2, 10, 2),
                                        ("c", "kaltimtoday", 4, 12, 3))]
    shingler = Shingler()
    a, b, c = (shingler.shingles(r["body"]) for r in records)
    assert similarity(a, b)[0] >= 0.5 and similarity(b, c)[0] >= 0.5
    assert not is_similar(*similarity(a, c), min(len(a), len(c)))
    with Archive(tmp_path / "chain.db") as archive:
        archive.write(records)
        archive.update_clusters()
        assert _clusters(archive) == {"a": 1, "b": 1}


def test_incremental_batches_give_the_clusters_of_one_pass(tmp_path: Path) -> None:
    """Originals archived by one crawl and their copies by the next, or all at once: the same
    clusters, without recomputing the archive (only the new articles are sketched)."""
    originals = {"jalan_kp", "rilis_kp", "antara_niaga", "banjir_a", "solo_pasar", "solo_ikn"}
    with Archive(tmp_path / "inc.db") as archive:
        archive.write(_records(originals))
        first = archive.update_clusters()
        archive.write(_records(set(fx.TRUTH) | {"banjir_b"} - originals))
        second = archive.update_clusters()
        assert (first.articles, second.articles) == (6, 7)
        assert _pairs(dict(_clusters(archive))) == _pairs(dict(fx.TRUTH))


def test_a_copy_archived_later_but_published_earlier_becomes_the_original(
        tmp_path: Path) -> None:
    with Archive(tmp_path / "late.db") as archive:
        archive.write(_records({"jalan_sapos", "jalan_today"}))
        archive.update_clusters()
        archive.write(_records({"jalan_kp"}))  # published first, found by a later crawl
        archive.update_clusters()
        (cluster,) = list(archive.clusters())
        assert (_key_of(cluster["original"]["url"]), cluster["size"]) == ("jalan_kp", 3)


def test_an_edited_copy_that_no_longer_matches_leaves_its_cluster(clustered: Archive) -> None:
    clustered.write([{"url": "https://sapos.example/berita/jalan_sapos", "source": "sapos",
                      "title": "Rp 187 Miliar untuk Jalan Rusak di Kukar",
                      "body": "Ralat: berita ini kami tarik karena data anggaran yang "
                              "dikutip belum dikonfirmasi oleh Dinas Pekerjaan Umum. Redaksi "
                              "memohon maaf kepada pembaca atas kekeliruan tersebut dan akan "
                              "menurunkan berita yang sudah diperiksa ulang secepatnya.",
                      "published_at": "2024-05-20T13:40:00+08:00"}])
    result = clustered.update_clusters()
    clusters = _clusters(clustered)
    assert (result.articles, "jalan_sapos" in clusters,
            clusters["jalan_kp"] == clusters["jalan_today"]) == (1, False, True)


def test_a_representative_rewritten_into_another_story_no_longer_holds_its_copies(
        clustered: Archive) -> None:
    """The release's first run is its cluster's representative; rewritten into another story,
    it leaves, and the two runs that still share the release stay together, the earlier of
    them now the original."""
    clustered.write([{"url": "https://kaltimpost.example/berita/rilis_kp", "source": "kaltimpost",
                      "title": "Kampanye Imunisasi Polio Serentak Dimulai Senin",
                      "body": "Ralat: berita kampanye imunisasi ini kami tarik karena jadwalnya "
                              "diubah Dinas Kesehatan. Jadwal baru akan kami muat setelah "
                              "diumumkan resmi, dan redaksi memohon maaf kepada para pembaca "
                              "yang sudah menyiapkan anak mereka untuk datang ke posyandu.",
                      "dateline": "SAMARINDA",
                      "published_at": "2024-06-03T10:00:00+08:00"}])
    clustered.update_clusters()
    clusters = _clusters(clustered)
    originals = {_key_of(c["original"]["url"]) for c in clustered.clusters()}
    assert ("rilis_kp" in clusters, clusters["rilis_kk"] == clusters["rilis_today"],
            "rilis_kk" in originals) == (False, True, True)


def test_a_text_changed_by_any_writer_is_placed_again(clustered: Archive) -> None:
    """A row rewritten without `Archive.write` (as `warta merge` rewrites one) loses its
    sketch and its region tag too (the trigger of migration 13): the next update places it
    again and tags it again."""
    conn = clustered.connection
    conn.execute("UPDATE articles SET body = ?, content_hash = 'rewritten', dateline = "
                 "'BONTANG' WHERE url LIKE '%/jalan_sapos'",
                 ("Ralat: berita ini kami tarik karena data anggaran yang dikutip belum "
                  "dikonfirmasi oleh Dinas Pekerjaan Umum. Redaksi memohon maaf kepada pembaca "
                  "atas kekeliruan tersebut dan akan menurunkan berita yang sudah diperiksa.",))
    clustered.update_clusters()
    clusters = _clusters(clustered)
    (region,) = conn.execute("SELECT r.region FROM article_regions r JOIN articles a ON "
                             "a.id = r.article_id WHERE a.url LIKE '%/jalan_sapos'").fetchone()
    assert ("jalan_sapos" in clusters, region) == (False, "Bontang")


def test_an_archive_upgraded_to_schema_13_drops_its_stale_sketches(tmp_path: Path) -> None:
    """Sketches of texts changed before the trigger existed go at the upgrade: the changed
    story's first run is placed again, and its copy with it (verified against its text)."""
    path = tmp_path / "old.db"
    with Archive(path) as archive:
        archive.write(_records({"jalan_kp", "jalan_sapos"}))
        archive.update_clusters()
        conn = archive.connection
        conn.execute("DROP TRIGGER articles_text_changed")
        conn.execute("UPDATE articles SET content_hash = 'changed' WHERE url LIKE '%/jalan_kp'")
        conn.execute("DELETE FROM migrations WHERE version = 13")
        conn.execute("PRAGMA user_version = 12")  # before migration 13, the trigger's
    with Archive(path) as archive:
        result = archive.update_clusters()
    assert (result.articles, result.new_clusters) == (2, 1)


def test_an_update_with_nothing_new_changes_nothing(clustered: Archive) -> None:
    before = _clusters(clustered)
    result = clustered.update_clusters()
    assert (result.articles, _clusters(clustered)) == (0, before)


def test_an_extremely_long_body_is_read_only_in_part(tmp_path: Path) -> None:
    """A 6 MB body is shingled from its first MAX_BODY_CHARS characters, so it costs what a
    long article costs; it is still clustered with the story it starts with."""
    body = "\n\n".join(fx.JALAN) + "\n\n" + ("kata acak lainnya " * 350_000)
    assert len(body) > 100 * MAX_BODY_CHARS
    with Archive(tmp_path / "long.db") as archive:
        archive.write([*_records({"jalan_kp"}),
                       {"url": "https://sapos.example/long", "source": "sapos", "title": "x",
                        "body": body, "published_at": "2024-05-21T10:00:00+08:00"}])
        archive.update_clusters()
        assert set(_clusters(archive)) == {"jalan_kp", "long"}


def test_a_crawl_end_clusters_what_it_wrote(tmp_path: Path) -> None:
    with Archive(tmp_path / "crawl.db") as archive:
        crawl = archive.begin_crawl(["kaltimpost", "sapos", "kaltimtoday"])
        archive.write(_records({"jalan_kp", "jalan_sapos", "jalan_today"}), crawl_id=crawl)
        assert _clusters(archive) == {}
        archive.finish_crawl(crawl, finish_reason="finished", counts={}, stats={})
        assert set(_clusters(archive)) == {"jalan_kp", "jalan_sapos", "jalan_today"}


def test_a_body_of_one_phrase_repeated_is_not_clustered(tmp_path: Path) -> None:
    """Thousands of words but one distinct shingle: too little text to say two are a copy."""
    with Archive(tmp_path / "repeat.db") as archive:
        archive.write([{"url": f"https://{s}.example/r", "source": s, "title": "r",
                        "body": "kata demi kata " * 2000} for s in ("sapos", "kaltimpost")])
        result = archive.update_clusters()
        assert (result.too_short, _clusters(archive)) == (2, {})


@pytest.mark.parametrize(("signoff", "marked"), [("*/han", True), ("adv/rz", True),
                                                 ("Adv", True), ("han", False)])
def test_a_release_sign_off_alone_marks_a_cluster(tmp_path: Path, signoff: str,
                                                  marked: bool) -> None:
    records = _records({"jalan_kp", "jalan_sapos"})
    records[0]["signoff"] = signoff
    with Archive(tmp_path / "signoff.db") as archive:
        archive.write(records)
        archive.update_clusters()
        (cluster,) = list(archive.clusters())
    assert cluster["press_release"] is marked


def test_release_wording_is_a_word_not_part_of_one() -> None:
    from archive.clusters import release_marked

    assert release_marked(None, "Menurut rilis yang diterima redaksi, acara digelar besok.")
    assert release_marked(None, "Hal itu disampaikan dalam siaran pers, Senin.")
    assert not release_marked(None, "BPS merilis data inflasi bulanan pada Senin.")
