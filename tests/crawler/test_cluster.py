"""`warta cluster plan`: outlets over Scrapyd nodes by rendezvous hashing."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.cluster import parse_nodes, plan
from tests.crawler.warta_run import run_warta

OUTLETS = [f"outlet{n:02d}" for n in range(30)]
NODES = [f"http://node{n}.example:6800/" for n in range(1, 4)]


def owner(assigned: dict[str, list[str]]) -> dict[str, str]:
    return {outlet: node for node, outlets in assigned.items() for outlet in outlets}


def test_every_outlet_goes_to_exactly_one_node_and_every_node_gets_some() -> None:
    assigned = plan(OUTLETS, NODES)
    assert sorted(o for outlets in assigned.values() for o in outlets) == OUTLETS
    assert all(assigned[node] for node in NODES)


def test_adding_a_fourth_node_moves_at_most_a_third_of_thirty_outlets_all_to_it() -> None:
    before = owner(plan(OUTLETS, NODES))
    fourth = "http://node4.example:6800/"
    after = owner(plan(OUTLETS, [*NODES, fourth], previous=before))
    moved = [o for o in OUTLETS if before[o] != after[o]]
    assert 0 < len(moved) <= len(OUTLETS) // 3
    assert {after[o] for o in moved} == {fourth}


def test_a_dead_node_s_outlets_move_and_no_other_outlet_does() -> None:
    before = owner(plan(OUTLETS, NODES))
    dead = NODES[2]
    after = owner(plan(OUTLETS, NODES[:2], previous=before))
    assert {o for o in OUTLETS if before[o] != after[o]} == \
        {o for o in OUTLETS if before[o] == dead}


def test_no_node_gets_more_than_its_share() -> None:
    assert max(len(o) for o in plan(OUTLETS, [*NODES, "http://node4.example:6800/"]).values()) \
        == 8  # ceil(30 / 4)


def test_the_plan_does_not_depend_on_the_order_the_nodes_are_listed() -> None:
    assert owner(plan(OUTLETS, NODES)) == owner(plan(OUTLETS, list(reversed(NODES))))
    assert parse_nodes("http://a:6800, http://a:6800/,http://b:6800") == \
        ["http://a:6800/", "http://b:6800/"]


def test_the_plan_command_assigns_the_profiles_of_a_sites_folder(tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    sites.mkdir()
    for key in OUTLETS[:6]:
        (sites / f"{key}.toml").write_text(
            f'name = "{key}"\nhomepage = "http://127.0.0.1:9/{key}/"\n'
            'timezone = "Asia/Makassar"\n')
    saved = tmp_path / "plan.json"

    def planned(*nodes: str) -> dict[str, list[str]]:
        result = run_warta("cluster", "plan", "--nodes", ",".join(nodes), "--sites-dir",
                           str(sites), "--plan", str(saved), "--format", "json",
                           real=True)  # the real `warta` executable
        assert result.returncode == 0, result.stderr
        return dict(json.loads(result.stdout))

    first = planned(*NODES)
    assert sorted(o for outlets in first.values() for o in outlets) == OUTLETS[:6]
    # the saved plan is kept: a fourth node takes only what is over the others' new share
    after = owner(planned(*NODES, "http://node4.example:6800/"))
    moved = {o for o, node in owner(first).items() if after[o] != node}
    assert len(moved) <= 2 and {after[o] for o in moved} <= {"http://node4.example:6800/"}


def test_a_bad_node_url_is_one_line_that_says_what_to_give() -> None:
    result = run_warta("cluster", "plan", "--nodes", "node1:6800")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: --nodes: 'node1:6800' is not a Scrapyd URL; give e.g. "
        "http://node1:6800/,http://node2:6800/"]
