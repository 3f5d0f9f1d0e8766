"""Many outlets over several Scrapyd nodes (issue 18): plan, deploy, schedule, status.

Outlets are assigned to nodes by rendezvous (highest random weight) hashing with a bound on
each node's share, and the last plan (a JSON file on the main machine) is kept where it can
be: adding a node moves only the outlets it takes over (each old node gives up what is over
its new share), removing one (a dead node) moves only that node's outlets. See `plan`.

Each node writes its own archive shard, `DATA_DIR/NODE.db` on its own disk (NODE: the node's
host and port), so no two writers ever share a database; the main machine fetches or copies
the shards and merges them (`warta merge`).

Talks to Scrapyd through its documented JSON API (addversion.json, schedule.json,
listjobs.json, daemonstatus.json); the egg is built by `scrapyd-deploy --build-egg`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive import WartaError

#: The Scrapyd project and spider warta deploys and schedules.
PROJECT = "warta"
SPIDER = "news"
#: Seconds a node has to answer one API call.
TIMEOUT = 30.0


def parse_nodes(text: str) -> list[str]:
    """`URL,URL,...` as node base URLs (ending in /); WartaError for a bad one."""
    nodes: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        parsed = urllib.parse.urlsplit(part)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise WartaError(f"--nodes: {part!r} is not a Scrapyd URL; give e.g. "
                             "http://node1:6800/,http://node2:6800/")
        url = part if part.endswith("/") else part + "/"
        if url not in nodes:
            nodes.append(url)
    if not nodes:
        raise WartaError("--nodes is empty; give the Scrapyd URLs, comma-separated")
    return nodes


def node_name(node: str) -> str:
    """A node's name in file names: host and port (`node1-6800`)."""
    parsed = urllib.parse.urlsplit(node)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return re.sub(r"[^A-Za-z0-9.-]", "-", f"{parsed.hostname}-{port}")


def _weight(node: str, outlet: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{node_name(node)}|{outlet}".encode()).digest()[:8],
                          "big")


def plan(outlets: Iterable[str], nodes: Sequence[str],
         previous: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Node -> its outlets (sorted); every node listed, even empty.

    No node gets more than its share, ceil(outlets / nodes). `previous` (outlet -> node, the
    last plan) is kept wherever its node is still listed and within its share: an outlet
    moves only when its node is gone (dead, removed) or has more than its new share (a node
    was added), so adding a fourth node to thirty outlets on three moves 6 of them (each old
    node gives up 2), all to the new node. The outlets left go by rendezvous hashing to the
    node of highest weight that has room, strongest preferences first: without `previous`
    the same nodes give the same plan on any machine."""
    chosen = sorted(set(outlets))
    assigned: dict[str, list[str]] = {node: [] for node in nodes}
    if not nodes:
        return assigned
    share = math.ceil(len(chosen) / len(nodes))
    placed: set[str] = set()
    kept: dict[str, list[str]] = {}
    for outlet in chosen:
        was = (previous or {}).get(outlet)
        if was is not None and was in assigned:
            kept.setdefault(was, []).append(outlet)
    for node, mine in kept.items():
        mine.sort(key=lambda outlet: (-_weight(node, outlet), outlet))
        assigned[node].extend(mine[:share])
        placed.update(mine[:share])
    rest = [o for o in chosen if o not in placed]
    rest.sort(key=lambda o: (-max(_weight(n, o) for n in nodes), o))
    for outlet in rest:
        for node in sorted(nodes, key=lambda n: (-_weight(n, outlet), n)):
            if len(assigned[node]) < share:
                assigned[node].append(outlet)
                break
    return {node: sorted(mine) for node, mine in assigned.items()}


def read_plan(path: Path) -> dict[str, str]:
    """The last plan saved at `path` as outlet -> node ({} when there is none)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise WartaError(f"cannot read the plan {path} ({exc}); fix it or remove it "
                         "(the next plan starts afresh)") from None
    nodes = data.get("nodes") if isinstance(data, dict) else None
    if not isinstance(nodes, dict):
        raise WartaError(f"{path} is not a warta cluster plan; remove it or give another --plan")
    return {str(o): str(node) for node, outlets in nodes.items() for o in outlets}


def save_plan(path: Path, assigned: Mapping[str, list[str]]) -> None:
    """Write the plan atomically (a temporary file renamed over it)."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    temporary.write_text(json.dumps({"nodes": assigned}, indent=1) + "\n", encoding="utf-8")
    temporary.replace(path)


def shard_path(data_dir: str, node: str) -> str:
    """Where `node` writes its archive shard (a path on the node)."""
    return f"{data_dir.rstrip('/')}/{node_name(node)}.db"


# -- the Scrapyd API ---------------------------------------------------------------------------

def _call(node: str, path: str, data: bytes | None = None,
          headers: dict[str, str] | None = None) -> dict[str, Any]:
    request = urllib.request.Request(node + path, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise WartaError(f"the node {node} answered {path} with HTTP {exc.code}; "
                         "is it a Scrapyd?") from None
    except (urllib.error.URLError, OSError) as exc:
        raise WartaError(f"cannot reach the node {node} ({getattr(exc, 'reason', exc)}); "
                         "is its Scrapyd running? (a dead node: leave it out of --nodes and "
                         "schedule again)") from None
    except ValueError:
        raise WartaError(f"the node {node} answered {path} with something other than JSON; "
                         "is it a Scrapyd?") from None
    if not isinstance(answer, dict):
        raise WartaError(f"the node {node} answered {path} oddly: {answer!r}")
    if answer.get("status") == "error":
        raise WartaError(f"the node {node} refused {path}: {answer.get('message')}")
    return answer


def _post(node: str, path: str, fields: Sequence[tuple[str, str]]) -> dict[str, Any]:
    return _call(node, path, urllib.parse.urlencode(list(fields)).encode())


def build_egg(project_dir: Path) -> bytes:
    """The project's egg, as `scrapyd-deploy` builds it from a checkout (scrapy.cfg, setup.py)."""
    if not (project_dir / "scrapy.cfg").is_file() or not (project_dir / "setup.py").is_file():
        raise WartaError(f"{project_dir} is not a warta checkout (no scrapy.cfg and setup.py); "
                         "run `warta cluster deploy` from one or give --project DIR")
    deploy = Path(sys.executable).with_name("scrapyd-deploy")
    command = [str(deploy) if deploy.exists() else "scrapyd-deploy"]
    with tempfile.TemporaryDirectory(prefix="warta-egg-") as folder:
        egg = Path(folder) / "warta.egg"
        try:
            done = subprocess.run([*command, "--build-egg", str(egg)], cwd=project_dir,
                                  capture_output=True, text=True, timeout=600, check=False)
        except FileNotFoundError:
            raise WartaError("scrapyd-deploy is not installed: pip install scrapyd-client") \
                from None
        if done.returncode != 0 or not egg.is_file():
            last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise WartaError(f"building the egg failed ({last[0]}); try "
                             f"`scrapyd-deploy --build-egg warta.egg` in {project_dir}")
        return egg.read_bytes()


def deploy(nodes: Sequence[str], egg: bytes, version: str | None = None) -> dict[str, Any]:
    """Upload the egg to every node (addversion.json); node -> its answer."""
    version = version or time.strftime("r%Y%m%d%H%M%S", time.gmtime())
    boundary = uuid.uuid4().hex
    body = b"".join([
        *(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
          .encode() for name, value in (("project", PROJECT), ("version", version))),
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"egg\"; filename=\"warta.egg\""
        "\r\nContent-Type: application/octet-stream\r\n\r\n".encode(), egg,
        f"\r\n--{boundary}--\r\n".encode()])
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return {node: _call(node, "addversion.json", body, headers) for node in nodes}


def schedule(assigned: dict[str, list[str]], data_dir: str, sites_dir: str | None = None,
             settings: Sequence[tuple[str, str]] = ()) -> dict[str, str | None]:
    """Schedule on each node one crawl of its outlets into its own shard; node -> job id
    (None for a node with no outlet)."""
    jobs: dict[str, str | None] = {}
    for node, outlets in assigned.items():
        if not outlets:
            jobs[node] = None
            continue
        fields = [("project", PROJECT), ("spider", SPIDER), ("site", ",".join(outlets)),
                  ("setting", f"WARTA_DB={shard_path(data_dir, node)}")]
        if sites_dir:
            fields.append(("setting", f"WARTA_SITES_DIR={sites_dir}"))
        fields += [("setting", f"{name}={value}") for name, value in settings]
        jobs[node] = str(_post(node, "schedule.json", fields)["jobid"])
    return jobs


@dataclass
class NodeStatus:
    node: str
    up: bool
    pending: int = 0
    running: int = 0
    finished: int = 0
    last: str = ""          # the newest finished job: id and end
    error: str = ""


def status(nodes: Sequence[str]) -> list[NodeStatus]:
    """Each node's jobs of the warta project; a node that does not answer is `up=False`."""
    out = []
    for node in nodes:
        try:
            _call(node, "daemonstatus.json")
        except WartaError as exc:
            out.append(NodeStatus(node, up=False, error=str(exc)))
            continue
        try:
            jobs = _call(node, f"listjobs.json?project={PROJECT}")
        except WartaError as exc:  # up, but warta not deployed there yet
            out.append(NodeStatus(node, up=True, error=str(exc)))
            continue
        finished = jobs.get("finished") or []
        newest = max(finished, key=lambda j: j.get("end_time") or "", default=None)
        out.append(NodeStatus(
            node, up=True, pending=len(jobs.get("pending") or []),
            running=len(jobs.get("running") or []), finished=len(finished),
            last=f"{newest['id']} ended {newest.get('end_time')}" if newest else ""))
    return out
