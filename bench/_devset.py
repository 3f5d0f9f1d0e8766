"""The development set (`../shared/devset`, or $WARTA_DEVSET): its pages, a fixed split into
`tune` and `holdout`, and scoring of any part with the set's own `score.py`.

The split is by publisher, so that no template is on both sides: a page's registrable domain
(`REGISTRABLE_SECOND_LEVELS` for `co.id`-style suffixes) is hashed with sha256 and one fifth of
the domains (`HOLDOUT_BUCKET` of `HOLDOUT_BUCKETS`) is held out. It was fixed before any page
was looked at; rules are tuned on `tune` only, and `holdout` says how well they generalize.

`score.py` scores every page of its `truth.json` (a page without a prediction counts as
missed), so a part is scored by running the unchanged `score.py` from a temporary folder whose
`truth.json` holds that part's pages only.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEVSET_ENV = "WARTA_DEVSET"
HOLDOUT_BUCKETS = 5
HOLDOUT_BUCKET = 0
"""A domain whose sha256 (as an integer) is `HOLDOUT_BUCKET` modulo `HOLDOUT_BUCKETS` is held
out: one fifth of the publishers."""
REGISTRABLE_SECOND_LEVELS = frozenset(
    {"ac", "co", "com", "edu", "go", "gob", "gov", "mil", "ne", "net", "or", "org", "sch", "web"}
)
"""Second-level labels under a two-letter country code that are not the publisher
(`kompas.co.id`, `bbc.co.uk`, `abc.net.au`): the registrable domain keeps three labels."""
PARTS = ("all", "tune", "holdout")


def devset_dir() -> Path | None:
    env = os.environ.get(DEVSET_ENV)
    path = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "devset"
    return path if (path / "truth.json").is_file() and (path / "score.py").is_file() else None


def registrable_domain(url: str) -> str:
    """`https://www.kompas.co.id/x` -> `kompas.co.id`; `https://edition.cnn.com/` -> `cnn.com`."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in REGISTRABLE_SECOND_LEVELS:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def part_of(url: str) -> str:
    """`holdout` or `tune`, by the registrable domain of the page's URL."""
    digest = int(hashlib.sha256(registrable_domain(url).encode()).hexdigest(), 16)
    return "holdout" if digest % HOLDOUT_BUCKETS == HOLDOUT_BUCKET else "tune"


def load_truth(folder: Path) -> dict[str, dict[str, Any]]:
    with (folder / "truth.json").open(encoding="utf-8") as fh:
        data: dict[str, dict[str, Any]] = json.load(fh)
    return data


def in_part(entry: dict[str, Any], part: str) -> bool:
    return part == "all" or part_of(entry["url"]) == part


def pages(folder: Path, part: str = "all") -> Iterator[tuple[str, str, bytes]]:
    """`(key, url, bytes)` for every page of `part`, in the set's order."""
    for key, entry in sorted(load_truth(folder).items()):
        if in_part(entry, part):
            yield key, entry["url"], gzip.decompress((folder / key).read_bytes())


def predict(
    folder: Path, extract: Callable[[bytes, str], dict[str, Any]], part: str = "all"
) -> list[dict[str, Any]]:
    """One prediction (`file`, `title`, `published_at`, `authors`, `body`) per page of `part`."""
    out = []
    for key, url, data in pages(folder, part):
        result = extract(data, url)
        out.append({"file": key, **{k: result.get(k) for k in
                                    ("title", "published_at", "authors", "body", "provenance")}})
    return out


def score(folder: Path, predictions: Iterable[dict[str, Any]], part: str = "all") -> str:
    """The last line of `score.py` for the pages of `part` (`key=value` pairs)."""
    truth = {k: v for k, v in load_truth(folder).items() if in_part(v, part)}
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(folder / "score.py", Path(tmp) / "score.py")
        (Path(tmp) / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
        pred = Path(tmp) / "pred.jsonl"
        with pred.open("w", encoding="utf-8") as fh:
            for p in predictions:
                fh.write(json.dumps(p, ensure_ascii=False) + "\n")
        out = subprocess.run([sys.executable, str(Path(tmp) / "score.py"), str(pred)],
                             capture_output=True, text=True, check=True).stdout
    return out.strip().splitlines()[-1]
