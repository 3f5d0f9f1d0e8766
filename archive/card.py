"""Dataset cards: a Markdown page beside an export that says what it holds and how it was made.

`warta export ... --card` writes `FILE.card.md`. A researcher cites it, a reviewer checks it,
a colleague who receives only a URL list learns from it what the corpus was. It holds:

- what: rows, the filters and query, the command that makes the export again, the fields;
- which outlets: key, name, homepage, region, time zone, articles, first and last date;
- when: the first and last publication time, undated articles; counts per outlet and month;
- how: the warta version, the outlet profiles as the archive recorded them, the crawl runs
  (how many, when, with which warta, why they stopped; the runs that last changed the
  exported articles), the extraction stage that gave each body and date;
- what the dates are worth: articles with a time of day, with the day only (a midnight
  placeholder), with a date read relative to the fetch time, and without the precision recorded;
- field coverage per outlet (date, time of day, author, dateline, editor, reporter, section,
  tags);
- duplicates: one row per canonical URL, earlier versions kept, related links collapsed;
- the sha256 of every data file, as `sha256sum -c` reads them;
- a note on copyright and redistribution.

Everything is computed in the export's own snapshot of the archive, with the same filters, so
the card's counts are the file's. The card has no creation time: the same archive and command
give the same card.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from archive.counts import query_rows, selection
from archive.query import Filters

if TYPE_CHECKING:
    from archive.store import Archive

#: Crawl runs listed one per line in the card; more are summarized (an hourly crawl makes
#: thousands). Twenty is a screenful.
CARD_MAX_CRAWLS = 20

#: Fields whose coverage the card reports: (label, SQL that is 1 when the article has it).
COVERAGE: tuple[tuple[str, str], ...] = (
    ("date", "a.published_at IS NOT NULL"),
    ("time", "a.published_precision = 'time'"),
    ("author", "a.authors IS NOT NULL AND a.authors != '[]'"),
    ("dateline", "a.dateline IS NOT NULL AND a.dateline != ''"),
    ("editor", "a.editor IS NOT NULL AND a.editor != ''"),
    ("reporter", "a.reporter IS NOT NULL AND a.reporter != ''"),
    ("section", "a.section IS NOT NULL AND a.section != ''"),
    ("tags", "a.tags IS NOT NULL AND a.tags != '[]'"),
)

COPYRIGHT_NOTE = """\
The articles belong to their outlets and authors and stay under their copyright; this file
does not grant any right to them. warta keeps them for research, journalism and archiving.
Before you share the full text (bodies, and titles in bulk), check the law that applies to you
(in Indonesia, Law No. 28 of 2014 on Copyright) and each outlet's terms. Where the text may
not be shared, share the URL list instead (`warta export --urls-only`: stable id, URL, outlet,
date, title), with this card: others rebuild the corpus from the outlets themselves with
`warta rehydrate LIST --db PATH`, which reports what can no longer be fetched. Cite each
article by its outlet, title, date and URL, and this dataset by its file name and sha256."""


def _percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "–"


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]],
           right: Iterable[int] = ()) -> Iterator[str]:
    """A GitHub-flavoured Markdown table; `|` in cells escaped."""
    aligned = set(right)
    yield "| " + " | ".join(headers) + " |"
    yield "|" + "|".join("---:" if i in aligned else "---" for i in range(len(headers))) + "|"
    for row in rows:
        cells = ["" if v is None else str(v).replace("|", "\\|").replace("\n", " ") for v in row]
        yield "| " + " | ".join(cells) + " |"


def _n(value: int) -> str:
    return f"{value:,}"


def card_data(archive: Archive, f: Filters) -> dict[str, Any]:
    """The aggregates a card shows, over the articles matching `f`."""
    conn = archive.connection
    data: dict[str, Any] = {"sources": [], "months": {}, "stages": {}, "crawls": [],
                            "changed_by": []}
    if f.empty:
        return data
    from_where, params = selection(f)
    coverage = ", ".join(f"sum({sql}) AS with_{label}" for label, sql in COVERAGE)
    data["sources"] = list(query_rows(conn, f, (
        "SELECT a.source AS source, count(*) AS articles, min(a.published_date) AS first, "
        f"max(a.published_date) AS last, {coverage}, "
        "sum(a.published_precision = 'day') AS day_only, "
        "sum(a.published_precision = 'relative') AS relative_dates, "
        "sum((SELECT count(*) FROM article_versions v WHERE v.article_id = a.id)) AS versions, "
        "sum(EXISTS (SELECT 1 FROM article_versions v WHERE v.article_id = a.id)) "
        "AS with_versions, "
        "sum((SELECT count(*) FROM article_links l WHERE l.article_id = a.id)) AS related, "
        "sum(a.word_count) AS words "
        f"{from_where} GROUP BY a.source ORDER BY a.source"), params))
    months: dict[str, dict[str, int]] = defaultdict(dict)
    for row in query_rows(conn, f, "SELECT substr(a.published_date, 1, 7) AS month, "
                          f"a.source AS source, count(*) AS n {from_where} "
                          "AND a.published_date IS NOT NULL GROUP BY 1, 2", params):
        months[row["month"]][row["source"]] = row["n"]
    data["months"] = dict(sorted(months.items()))
    for column in ("body_stage", "date_stage"):
        data["stages"][column] = {
            (row["stage"] or "(none)"): row["n"] for row in query_rows(
                conn, f, f"SELECT a.{column} AS stage, count(*) AS n {from_where} "
                "GROUP BY 1 ORDER BY 2 DESC, 1", params)}
    # stories shared across outlets (archive/clusters.py): in a cluster, and copies of another
    shared = next(iter(query_rows(conn, f, (
        "SELECT count(ac.article_id) AS clustered, sum(ac.is_original = 0) AS copies, "
        "sum(c.press_release) AS press, count(DISTINCT ac.cluster_id) AS clusters "
        "FROM article_clusters ac JOIN clusters c ON c.id = ac.cluster_id "
        f"WHERE ac.article_id IN (SELECT a.id {from_where})"), params)), None)
    data["shared"] = shared or {}
    data["changed_by"] = sorted(row["crawl_id"] for row in query_rows(
        conn, f, f"SELECT DISTINCT a.crawl_id AS crawl_id {from_where} "
        "AND a.crawl_id IS NOT NULL", params))
    keys = [row["source"] for row in data["sources"]]
    marks = ", ".join("?" * len(keys))
    data["outlets"] = {row["key"]: row for row in query_rows(
        conn, f, "SELECT key, name, homepage, timezone, region FROM sources "
        f"WHERE key IN ({marks}) ORDER BY key", keys)}
    wanted = set(keys)
    for row in query_rows(conn, f, "SELECT id, started_at, finished_at, finish_reason, sites, "
                          "args, new, updated, unchanged, warta_version FROM crawls ORDER BY id",
                          []):
        sites = json.loads(row["sites"] or "[]")
        if wanted.intersection(sites):
            row["sites"] = sites
            row["args"] = json.loads(row["args"] or "{}")
            data["crawls"].append(row)
    return data


def _body_status(status: dict[str, Any] | None) -> Iterator[str]:
    """The card's line on articles whose body could not be read whole (issues 12, 13)."""
    if not status:
        return
    incomplete: dict[str, int] = status["incomplete"]
    split = f"{_n(incomplete['missing'])} without a body, {_n(incomplete['short'])} short"
    if incomplete.get("incomplete"):  # a manifest from before issue 13 has no such count
        split += f", {_n(incomplete['incomplete'])} with a part missing"
    if status["left_out"]:
        yield (f"- Left out: {_n(status['left_out'])} matching articles whose body could not "
               f"be read whole ({split}; `body_status`); `--include-incomplete` exports "
               "them.")
    elif sum(incomplete.values()):
        yield (f"- Included: {_n(sum(incomplete.values()))} articles whose body could not be "
               f"read whole ({split}): filter on `body_status` = `ok` for complete texts.")
    else:
        yield "- Left out: none (every matching article has its body: `body_status` = `ok`)."


def _ranges(ids: Sequence[int]) -> str:
    """1, 2, 3, 7 -> "1–3, 7"."""
    parts: list[str] = []
    start = previous = None
    for value in [*ids, None]:
        if value is not None and previous is not None and value == previous + 1:
            previous = value
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}–{previous}")
        start = previous = value
    return ", ".join(parts)


def card_markdown(archive: Archive, f: Filters, manifest: dict[str, Any]) -> str:
    """The card for an export whose manifest is `manifest` (filters `f`)."""
    data = card_data(archive, f)
    return "\n".join(_render(data, manifest)) + "\n"


def _render(data: dict[str, Any], manifest: dict[str, Any]) -> Iterator[str]:
    sources: list[dict[str, Any]] = data["sources"]
    outlets: dict[str, dict[str, Any]] = data.get("outlets", {})
    rows = manifest["rows"]
    dates = manifest["date_range"]
    kind = "The URLs, dates and titles of " if manifest["urls_only"] else ""
    yield f"# Dataset card: {manifest['file']}"
    yield ""
    span = (f", published {dates['first']} to {dates['last']}" if dates["first"] else "")
    yield (f"{kind}{_n(rows)} news articles from {len(sources)} outlet"
           f"{'' if len(sources) == 1 else 's'}{span}, exported from the warta archive "
           f"`{manifest['archive']['file']}` by warta {manifest['warta_version']}.")
    yield ""

    yield "## What"
    yield ""
    yield f"- Format: {manifest['format']}" + (
        f", {manifest['compression']}-compressed" if manifest["compression"] else "") + (
        ", partitioned by outlet and year (hive style: `source=KEY/year=YYYY/`; "
        f"undated articles under `year={manifest['partitioning']['undated_year']}`)"
        if manifest.get("partitioning") else "") + "."
    if manifest["urls_only"]:
        yield ("- URL list only: no article text. Rebuild the articles with "
               f"`warta rehydrate {manifest['file']} --db PATH`.")
    yield f"- Rows: {_n(rows)}, one per article (canonical URL), ordered {manifest['sort']} " \
          "first (ties by archive id)."
    yield from _body_status(manifest.get("body_status"))
    described = {k: v for k, v in manifest["filters"].items() if v not in (None, False)}
    if described:
        shown = ", ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}"
                          for k, v in described.items())
        yield f"- Query and filters: {shown}."
    else:
        yield "- Query and filters: none (every article in the archive)."
    yield f"- Made by: `{manifest['command']}`"
    yield "- Fields:"
    for field in manifest["fields"]:
        yield f"  - `{field['name']}` ({field['type']}): {field['description']}"
    yield ""

    yield "## Outlets"
    yield ""
    yield from _table(
        ["outlet", "name", "homepage", "region", "time zone", "articles", "first", "last"],
        ([s["source"], outlets.get(s["source"], {}).get("name"),
          outlets.get(s["source"], {}).get("homepage"),
          outlets.get(s["source"], {}).get("region"),
          outlets.get(s["source"], {}).get("timezone"), _n(s["articles"]), s["first"],
          s["last"]] for s in sources), right=[5])
    yield ""
    yield ("Dates are local publication dates as each outlet printed them (WIB = UTC+7, "
           "WITA = UTC+8, WIT = UTC+9); `published_at` keeps the offset.")
    yield ""

    yield "## Dates"
    yield ""
    yield f"- First published: {dates['first'] or '–'}"
    yield f"- Last published: {dates['last'] or '–'}"
    yield f"- Undated articles (no date could be read): {_n(dates['undated_rows'])}"
    yield from _precision(sources)
    yield ""

    yield "## Articles per outlet and month"
    yield ""
    months: dict[str, dict[str, int]] = data["months"]
    if months:
        keys = [s["source"] for s in sources]
        yield from _table(["month", *keys, "total"], (
            [month, *(_n(counts.get(k, 0)) for k in keys), _n(sum(counts.values()))]
            for month, counts in months.items()), right=range(1, len(keys) + 2))
    else:
        yield "No dated articles."
    yield ""

    yield "## Field coverage"
    yield ""
    yield ("Share of each outlet's articles in which warta found the field (`time`: a time "
           "of day shown on the page).")
    yield ""
    labels = [label for label, _ in COVERAGE]
    totals: Counter[str] = Counter()
    for s in sources:
        totals.update({label: s[f"with_{label}"] or 0 for label in labels})
    all_rows = sum(s["articles"] for s in sources)
    yield from _table(["outlet", "articles", *labels], [
        *([s["source"], _n(s["articles"]), *(_percent(s[f"with_{label}"] or 0, s["articles"])
                                             for label in labels)] for s in sources),
        ["all", _n(all_rows), *(_percent(totals[label], all_rows) for label in labels)]],
        right=range(1, len(labels) + 2))
    yield ""

    yield "## How it was collected"
    yield ""
    yield ("warta crawls each outlet politely through Scrapy (robots.txt obeyed, AutoThrottle, "
           "a few requests at a time), finds articles through robots.txt, sitemaps, feeds, "
           "listing pages and related headlines, and reads each page with a fallback chain "
           "per field (structured data, the outlet profile's selectors, generic rules).")
    yield ""
    yield from _how(data, outlets, sources)
    yield ""

    yield "## Duplicates and versions"
    yield ""
    versions = sum(s["versions"] or 0 for s in sources)
    with_versions = sum(s["with_versions"] or 0 for s in sources)
    related = sum(s["related"] or 0 for s in sources)
    yield ("- One row per canonical URL: the page's own `rel=canonical` on the same outlet, "
           "else the fetched URL, with tracking parameters removed and AMP, mobile and "
           "page-2 variants folded into their article; multi-page articles are stitched into "
           "one body. `uid` is the first 16 hex digits of the sha256 of that URL: the same in "
           "every archive built from the same pages.")
    yield (f"- Edited articles: when a re-crawl found a changed title or body, the row holds "
           f"the latest text and the archive keeps the earlier ones: {_n(with_versions)} of "
           f"these articles have earlier versions ({_n(versions)} in all; `versions` counts "
           "them per row).")
    shared = data.get("shared") or {}
    total = sum(s["articles"] for s in sources)
    yield (f"- Shared stories: {_n(shared.get('clustered') or 0)} of these {_n(total)} articles "
           f"are in {_n(shared.get('clusters') or 0)} clusters of near-duplicates (the same "
           "press release, wire story or copied article run by more than one archived article; "
           f"`cluster_id`), {_n(shared.get('copies') or 0)} of them copies of an earlier "
           f"article (`is_original` 0) and {_n(shared.get('press') or 0)} in likely press "
           "releases (`press_release`). Copies were found by MinHash over word 5-grams, each "
           "outlet's boilerplate left out, and verified on the text (Jaccard or containment).")
    yield (f"- Related headlines: each target once per page, in page order; {_n(related)} "
           "related links in all." + (" (Not in this URL list.)" if manifest["urls_only"]
                                      else ""))
    yield ""

    yield "## Files and checksums"
    yield ""
    partitioned = "files" in manifest
    files = manifest["files"] if partitioned else [
        {"path": manifest["file"], "rows": rows, "bytes": manifest["bytes"],
         "sha256": manifest["sha256"]}]
    if files:
        yield from _table(["file", "rows", "bytes", "sha256"],
                          ([f["path"], _n(f["rows"]), _n(f["bytes"]), f"`{f['sha256']}`"]
                           for f in files), right=[1, 2])
        yield ""
        where = f"inside `{manifest['file']}/`" if partitioned else "beside this card"
        yield f"Check them with `sha256sum -c` {where}:"
        yield ""
        yield "```"
        for f in files:
            yield f"{f['sha256']}  {f['path']}"
        yield "```"
    else:
        yield "No data files: no article matched."
    yield ""

    yield "## Copyright and redistribution"
    yield ""
    yield COPYRIGHT_NOTE


def _precision(sources: list[dict[str, Any]]) -> Iterator[str]:
    """What the dated articles' `published_at` is worth (`published_precision`)."""
    dated = sum(s["with_date"] or 0 for s in sources)
    if not dated:
        return
    timed = sum(s["with_time"] or 0 for s in sources)
    day_only = sum(s["day_only"] or 0 for s in sources)
    relative = sum(s["relative_dates"] or 0 for s in sources)
    unknown = dated - timed - day_only - relative
    yield (f"- Time of day shown on the page: {_n(timed)}; day only: {_n(day_only)} "
           "(`published_precision` = `day`: the time in `published_at` is a midnight "
           "placeholder, count these by day, never by hour); read relative to the fetch time "
           f"(`2 jam lalu`): {_n(relative)} (approximate)"
           + (f"; not recorded (archived before warta kept it): {_n(unknown)}" if unknown
              else "") + ".")


def _how(data: dict[str, Any], outlets: dict[str, dict[str, Any]],
         sources: list[dict[str, Any]]) -> Iterator[str]:
    crawls: list[dict[str, Any]] = data["crawls"]
    yield "- Outlet profiles, as the archive recorded them: " + "; ".join(
        f"`{s['source']}` {outlets.get(s['source'], {}).get('homepage') or '(no homepage)'} "
        f"({outlets.get(s['source'], {}).get('timezone') or 'no time zone'})"
        for s in sources) + "."
    folders = sorted({str(c["args"].get("sites_dir")) for c in crawls
                      if c["args"].get("sites_dir")})
    yield ("- Profiles read from: warta's bundled profiles" +
           (", and " + ", ".join(f"`{d}`" for d in folders) if folders else "") + ".")
    if not crawls:
        yield "- Crawl runs: none recorded (the articles were written by other means)."
    else:
        versions = sorted({c["warta_version"] for c in crawls})
        reasons = Counter(c["finish_reason"] or "running or killed" for c in crawls)
        yield (f"- Crawl runs: {_n(len(crawls))}, from {crawls[0]['started_at']} to "
               f"{crawls[-1]['finished_at'] or crawls[-1]['started_at']}, by warta "
               f"{', '.join(versions)}; ended: " +
               ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items())) + ".")
    if data["changed_by"]:
        yield ("- The exported rows were last changed by crawl run(s): "
               f"{_ranges(data['changed_by'])}.")
    for column, label in (("body_stage", "body"), ("date_stage", "date")):
        stages = data["stages"].get(column) or {}
        if stages:
            yield (f"- Extraction stage of the {label}: " +
                   ", ".join(f"{stage} {_n(n)}" for stage, n in stages.items()) + ".")
    if crawls:
        yield ""
        shown = crawls[-CARD_MAX_CRAWLS:]
        if len(crawls) > len(shown):
            yield f"The last {len(shown)} of {_n(len(crawls))} crawl runs:"
        else:
            yield "Crawl runs:"
        yield ""
        yield from _table(
            ["run", "started", "finished", "ended", "outlets", "new", "updated", "unchanged",
             "warta"],
            ([c["id"], c["started_at"], c["finished_at"], c["finish_reason"],
              ", ".join(c["sites"]), c["new"], c["updated"], c["unchanged"],
              c["warta_version"]] for c in shown), right=[0, 5, 6, 7])
