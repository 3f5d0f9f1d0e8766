"""The README documents every `warta` command: a section with an example, each option named,
and an example in the command's own `--help` (STYLE.md: docs are tested)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from crawler.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"
COMMANDS = sorted(cli.commands)

#: Options told once for every command at the head of "## Commands", or with the search
#: filters that `export` and `counts` share.
SHARED_OPTIONS = ("--help", "--db")


@pytest.fixture(scope="module")
def readme() -> str:
    return README.read_text(encoding="utf-8")


def section(readme: str, command: str) -> str:
    match = re.search(rf"^### `warta {command}`.*?(?=^##)", readme, flags=re.S | re.M)
    assert match, f"README has no section '### `warta {command}`'"
    return match.group(0)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_has_a_readme_section_with_an_example(readme: str, command: str) -> None:
    assert f"\nwarta {command}" in section(readme, command)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_is_in_the_readme(readme: str, command: str) -> None:
    options = [opt for p in cli.commands[command].params if isinstance(p, click.Option)
               for opt in p.opts if opt.startswith("--") and opt not in SHARED_OPTIONS]
    text = section(readme, command) + section(readme, "search")  # filters are told once
    missing = [opt for opt in options if opt not in text]
    assert not missing, f"warta {command}: options missing from the README: {missing}"


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_an_example(command: str) -> None:
    cmd = cli.commands[command]
    assert f"warta {command}" in cmd.get_help(click.Context(cmd, info_name=command))


def test_db_option_is_told_once_for_all(readme: str) -> None:
    commands = readme.split("## Commands", 1)[1].split("###", 1)[0]
    assert "`--db PATH`" in commands and "`WARTA_DB`" in commands
