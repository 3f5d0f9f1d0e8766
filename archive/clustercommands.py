"""`warta clusters`: near-duplicate clusters across outlets (archive/clusters.py).

Kept apart from `archive.commands` (imported at its end) so the command and its printing sit
together; it hangs from the same `cli` group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import click

from archive import formatting
from archive.commands import _echo_lines, cli, count_option, db_option, open_archive
from archive.instants import DATE
from archive.store import Archive


def _day(published_at: str | None) -> str:
    """The local time as published (the outlet's clock), to the minute."""
    return published_at[:16].replace("T", " ") if published_at else "undated"


def _spread(first: str | None, last: str | None) -> str:
    if not first or not last:
        return "?"
    hours = (dt.datetime.fromisoformat(last) - dt.datetime.fromisoformat(first)
             ).total_seconds() / 3600
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.1f} days"


def cluster_lines(clusters: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    """Each cluster as a head line and one line per member, the original first."""
    for cluster in clusters:
        press = (f" · likely press release ({cluster['press_reason']})"
                 if cluster["press_release"] else "")
        spread = _spread(cluster["first_published_utc"], cluster["last_published_utc"])
        yield (f"cluster {cluster['cluster_id']} · {cluster['outlets']} outlets · "
               f"{cluster['size']} articles · spread {spread}{press}")
        for member in cluster["members"]:
            shown = formatting.terminal_safe(member, multiline=False)
            mark = "original" if member["is_original"] else f"{member['similarity']:.2f}"
            yield (f"  {mark:>8}  {_day(member['published_at'])}  {shown['source']:<14} "
                   f"id {member['id']:<7} {shown['title']}")
        yield ""


def cluster_record(cluster: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON line of a cluster: its id, original and members."""
    def member(m: Mapping[str, Any]) -> dict[str, Any]:
        return {"id": m["id"], "uid": m["uid"], "url": m["url"], "source": m["source"],
                "title": m["title"], "published_at": m["published_at"],
                "similarity": m["similarity"], "containment": m["containment"],
                "is_original": m["is_original"]}

    original = cluster["original"]
    return {"cluster_id": cluster["cluster_id"], "outlets": cluster["outlets"],
            "size": cluster["size"], "press_release": cluster["press_release"],
            "press_reason": cluster["press_reason"],
            "original": member(original) if original else None,
            "members": [member(m) for m in cluster["members"]]}


@cli.command("clusters")
@count_option("--min-outlets", "min_outlets", default=2, show_default=True,
              help="Only clusters spread over this many outlets or more (1: copies within "
                   "one outlet too).")
@click.option("--since", type=DATE, help="Only clusters with an article published from this "
              "date on: YYYY-MM-DD or ISO 8601 with offset.")
@click.option("--source", "source", metavar="KEY", multiple=True,
              help="Only clusters with an article of this outlet; repeat or comma-separate.")
@click.option("--press-releases", "press_only", is_flag=True,
              help="Only clusters marked as likely press releases.")
@click.option("--update", is_flag=True,
              help="First cluster the articles archived since the last update (a crawl does "
                   "it when it ends).")
@count_option("--limit", default=None, help="At most this many clusters (newest first).")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True, help="jsonl: one cluster a line with cluster_id, original "
              "and members (url, source, published_at, similarity).")
@db_option
def clusters_command(min_outlets: int, since: Any, source: tuple[str, ...], press_only: bool,
                     update: bool, limit: int | None, fmt: str, db: str) -> None:
    """Stories run by several outlets: clusters of near-duplicate articles (the same press
    release, wire story or copied article, lightly edited), newest first, the presumed
    original (earliest publication) first, with each copy's similarity to the cluster's
    representative (Jaccard of word 5-grams, boilerplate left out).

    \b
    Example:
      warta clusters --min-outlets 3 --since 2024-01-01
      warta clusters --source kaltimpost --format jsonl > shared.jsonl
    """
    from archive.clusters import pending_count

    if update:
        open_archive(db).close()  # no archive there: say so, and never create one
        with open_archive(db, write=True) as archive:
            result = archive.update_clusters()
        click.echo(f"Clustered {result.articles:,} new or changed articles in "
                   f"{result.seconds:.1f} s: {result.new_clusters:,} new clusters, "
                   f"{result.joined:,} joined one.", err=True)
    keys = [k.strip() for value in source for k in value.split(",") if k.strip()]
    with open_archive(db) as archive:
        pending = pending_count(archive.connection)
        found = []
        for cluster in archive.clusters(min_outlets=min_outlets, source=keys or None,
                                        since=since, press_only=press_only):
            found.append(cluster)
            if limit is not None and len(found) >= limit:
                break
    if fmt == "jsonl":
        _echo_lines(formatting.jsonl(cluster_record(c) for c in found))
    elif found:
        _echo_lines(cluster_lines(found))
        click.echo(f"{len(found):,} clusters.")
    else:
        click.echo("No clusters match.")
    if pending:
        click.echo(f"Note: {pending:,} articles are not clustered yet; run "
                   "`warta clusters --update`.", err=True)


SYNDICATION_COLUMNS = ("source", "articles", "original", "shared", "press_release")


def syndication_output(archive: Archive, fmt: str) -> Iterator[str]:
    """`warta stats --syndication`: per outlet, originals of shared stories, copies, press
    releases; then the total."""
    from archive.clusters import pending_count, syndication_stats

    rows = syndication_stats(archive.connection)
    total = {"source": "total", **{k: sum(r[k] for r in rows) for k in SYNDICATION_COLUMNS[1:]}}
    if fmt == "jsonl":
        yield from formatting.jsonl([*rows, total])
    elif fmt == "csv":
        yield from formatting.csv_lines([*rows, total], SYNDICATION_COLUMNS)
    else:
        yield from formatting.table(
            ("OUTLET", "ARTICLES", "ORIGINAL", "SHARED", "PRESS RELEASE"),
            [[str(r[k]) for k in SYNDICATION_COLUMNS] for r in [*rows, total]],
            right=(1, 2, 3, 4))
        yield ("ORIGINAL: first publication of a story other outlets ran too; SHARED: a copy "
               "of an earlier article; PRESS RELEASE: in a cluster marked as a likely press "
               "release (see `warta clusters`).")
    pending = pending_count(archive.connection)
    if pending:
        yield f"Note: {pending:,} articles are not clustered yet (`warta clusters --update`)."
