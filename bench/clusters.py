"""Clustering near-duplicates at scale: time, peak memory and recall of planted copies.

    python bench/clusters.py --n 100000

Builds a synthetic archive (bench/_synth.py bodies of about 3 KB, each outlet's articles
closing on the outlet's own footer paragraph, no related links) of N articles, of which
`--copies` (default 10%) are planted copies of an earlier article run by another outlet,
lightly edited: a new headline, a few words changed, and half of them with a paragraph cut or
one added, published 1 to 48 hours later. Then, in a fresh process (so that its peak memory
is the clustering's alone):

- `seconds`: `Archive.update_clusters()` over the whole archive (sketches, candidates,
  verification, clusters, region tags), and `rss_mb` its process's peak resident memory;
- `recall`: the share of planted copies found in the same cluster as their source, and
  `precision`: the share of clustered pairs (member with its cluster's representative)
  that are planted;
- `add_batch_s`: 1,000 more articles (the same share of copies, of earlier articles) written
  and clustered by a second `update_clusters()`: the incremental update a crawl's end runs.
- the baseline, same run, same archive: reading every body and shingling it (the floor any
  clustering of these bodies pays); `ratio` = seconds / baseline_s.

Targets (issue 17): 100,000 articles in under 60 s, under 1 GB, recall at least 0.95, a batch
of 1,000 added in under 2 s.

On a machine shared with other work the wall-clock figures grow with its load; the CPU
seconds of each phase (`cpu_s`, `add_batch_cpu_s`) are what it cost itself. Where the rest
of the wall clock went is told by the phase's context switches: involuntary ones (`preempted`:
the process was ready but another had the CPU) against voluntary ones (`blocked`: it waited
for the disk, an fsync, a lock), and by the load average (`load`: 1-minute, at the end).
 `--reuse` skips
writing the corpus again when bench/out/clusters-N.db exists (only its clusters and the added
batch are dropped).

Last line: n=… seconds=… rss_mb=… recall=… add_batch_s=… precision=… cpu_s=…
add_batch_cpu_s=… baseline_s=… ratio=…
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import _synth

from archive import Archive, content_hash

OUT = Path(__file__).resolve().parent / "out"
ADD = 1000


def _footer(source: str) -> str:
    return (f"Ikuti berita terkini dari {source} di kanal WhatsApp dan Google News kami. "
            f"Redaksi {source} menerima tulisan pembaca melalui surel redaksi kami setiap hari.")


def _edit(rng: random.Random, body: str) -> str:
    paragraphs = body.split("\n\n")
    if len(paragraphs) > 3 and rng.random() < 0.25:
        del paragraphs[rng.randrange(1, len(paragraphs))]
    elif rng.random() < 0.33:
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1),
                          " ".join(_synth._sentence(rng) for _ in range(3)))
    words = "\n\n".join(paragraphs).split(" ")
    for _ in range(3):
        words[rng.randrange(len(words))] = rng.choice(_synth.WORDS)
    return " ".join(words)


def corpus(start: int, count: int, total: int, copies: float, known: dict[int, int],
           seed: int = 7) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """Articles `start`..`start+count` and {copy index: source index}; a source is never a
    copy itself (`known`: the copies planted before)."""
    rng = random.Random(seed * 7919 + start)
    sources = [s[0] for s in _synth.SOURCES]
    rows: list[dict[str, Any]] = []
    truth: dict[int, int] = {}
    for index in range(start, start + count):
        record = _synth.article(index, total)
        record["related"] = []
        if index > 10 and rng.random() < copies:
            origin = rng.randrange(0, index - 1)
            while (origin % len(sources)) == (index % len(sources)) or origin in known \
                    or origin in truth:
                origin = rng.randrange(0, index - 1)
            base = _synth.article(origin, total)
            body = _edit(rng, base["body"])
            when = base["published_at"]
            published = dt.datetime.fromisoformat(when) + dt.timedelta(hours=rng.randint(1, 48))
            record.update(body=body, published_at=published.isoformat(),
                          dateline=base["dateline"])
            truth[index] = origin
        record["body"] = f"{record['body']}\n\n{_footer(record['source'])}"
        record["word_count"] = len(record["body"].split())
        record["content_hash"] = content_hash(record["title"], record["body"])
        rows.append(record)
    return rows, truth


def build(path: Path, n: int, copies: float, reuse: bool) -> dict[int, int]:
    """Write the corpus (or, with `reuse` and an archive of this n, only forget its
    clusters and the added batch, which the crawl of a bench run leaves); return the truth."""
    truth: dict[int, int] = {}
    if reuse and path.exists():
        with Archive(path) as archive:
            conn = archive.connection
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM articles WHERE id > ?", (n,))
            for table in ("article_clusters", "clusters", "cluster_sketches",
                          "cluster_boilerplate", "cluster_outlets", "cluster_meta",
                          "article_regions"):
                conn.execute(f"DELETE FROM {table}")
            conn.execute("COMMIT")
        for start in range(0, n, 2000):
            truth.update(corpus(start, min(2000, n - start), n, copies, truth)[1])
        return truth
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with Archive(path) as archive:
        for start in range(0, n, 2000):
            rows, planted = corpus(start, min(2000, n - start), n, copies, truth)
            archive.write(rows)
            truth.update(planted)
            print(f"  written {min(n, start + 2000):,}/{n:,}", file=sys.stderr)
    return truth


def child(db: str, phase: str) -> None:
    """Run one timed phase in this process; print its figures as JSON (wall and CPU
    seconds: on a shared machine the CPU time is what the phase itself cost)."""
    started = time.perf_counter()
    cpu_started = time.process_time()
    if phase == "cluster":
        with Archive(db) as archive:
            archive.update_clusters()
    elif phase == "baseline":
        from archive.clusters import Shingler

        shingler = Shingler()
        with Archive(db) as archive:
            for (body,) in archive.connection.execute("SELECT body FROM articles"):
                shingler.shingles(body)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": seconds, "rss_mb": usage.ru_maxrss / 1024,
                      "cpu_s": time.process_time() - cpu_started,
                      "preempted": usage.ru_nivcsw, "blocked": usage.ru_nvcsw}))


def run_child(db: Path, phase: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", phase, "--db", str(db)],
                         check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def score(db: Path, truth: dict[int, int], n_total: int) -> tuple[float, float]:
    """(recall of planted copies, precision of clustered pairs), by URL."""
    url = _synth.article_url
    with Archive(db) as archive:
        conn = archive.connection
        cluster_of = {u: c for u, c in conn.execute(
            "SELECT a.url, ac.cluster_id FROM article_clusters ac JOIN articles a "
            "ON a.id = ac.article_id")}
        pairs = conn.execute(
            "SELECT a.url, r.url FROM article_clusters ac JOIN clusters c ON c.id = ac.cluster_id "
            "JOIN articles a ON a.id = ac.article_id JOIN articles r ON r.id = c.representative_id "
            "WHERE ac.article_id <> c.representative_id").fetchall()
    found = sum(1 for copy, origin in truth.items()
                if cluster_of.get(url(copy)) is not None
                and cluster_of.get(url(copy)) == cluster_of.get(url(origin)))
    index = {url(i): i for i in range(n_total)}
    related: set[frozenset[int]] = set()
    for copy, origin in truth.items():
        related.add(frozenset((copy, origin)))
        # two copies of one story are the same story too
    by_origin: dict[int, list[int]] = {}
    for copy, origin in truth.items():
        root = origin
        while root in truth:
            root = truth[root]
        by_origin.setdefault(root, []).append(copy)
    root_of = {m: r for r, ms in by_origin.items() for m in [*ms, r]}
    good = sum(1 for a, b in pairs
               if root_of.get(index[a]) is not None and root_of.get(index[a]) == root_of.get(
                   index[b]))
    recall = found / len(truth) if truth else 1.0
    precision = good / len(pairs) if pairs else 1.0
    return recall, precision


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--copies", type=float, default=0.1)
    parser.add_argument("--reuse", action="store_true",
                        help="Reuse bench/out/clusters-N.db from an earlier run.")
    parser.add_argument("--child")
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.child:
        child(args.db, args.child)
        return
    OUT.mkdir(exist_ok=True)
    db = OUT / f"clusters-{args.n}.db"
    truth = build(db, args.n, args.copies, args.reuse)
    figures = run_child(db, "cluster")
    baseline = run_child(db, "baseline")
    rows, planted = corpus(args.n, ADD, args.n, args.copies, truth)  # same bodies as built
    truth.update(planted)
    import archive.clusters  # noqa: F401  (numpy, rensa: once per process, not the batch)

    with Archive(db) as opened:
        opened.write(rows)
        before = resource.getrusage(resource.RUSAGE_SELF)
        started, cpu_started = time.perf_counter(), time.process_time()
        opened.update_clusters()
        add_batch_s = time.perf_counter() - started
        add_cpu_s = time.process_time() - cpu_started
        after = resource.getrusage(resource.RUSAGE_SELF)
    recall, precision = score(db, truth, args.n + ADD)
    load = os.getloadavg()[0]
    print(f"planted copies {len(truth):,}; clustering {figures['seconds']:.1f} s "
          f"(CPU {figures['cpu_s']:.1f} s; preempted {figures['preempted']:,} times, blocked "
          f"{figures['blocked']:,}), peak {figures['rss_mb']:.0f} MB; shingling alone "
          f"{baseline['seconds']:.1f} s (CPU {baseline['cpu_s']:.1f} s); adding {ADD:,}: "
          f"{add_batch_s:.2f} s (CPU {add_cpu_s:.2f} s; preempted "
          f"{after.ru_nivcsw - before.ru_nivcsw:,}, blocked "
          f"{after.ru_nvcsw - before.ru_nvcsw:,}); load average {load:.2f} on "
          f"{os.cpu_count()} CPUs")
    print(f"n={args.n} seconds={figures['seconds']:.2f} rss_mb={figures['rss_mb']:.0f} "
          f"recall={recall:.4f} add_batch_s={add_batch_s:.2f} precision={precision:.4f} "
          f"cpu_s={figures['cpu_s']:.2f} add_batch_cpu_s={add_cpu_s:.2f} "
          f"baseline_s={baseline['seconds']:.2f} load={load:.2f} "
          f"ratio={figures['seconds'] / baseline['seconds']:.2f}")


if __name__ == "__main__":
    main()
