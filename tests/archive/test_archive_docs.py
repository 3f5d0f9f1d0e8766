"""The README documents every archive command, each of its options, and WARTA_DB."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from archive.cli import cli

README = Path(__file__).resolve().parents[2] / "README.md"
ARCHIVE_COMMANDS = ("search", "show", "stats", "export")


@pytest.fixture(scope="module")
def readme() -> str:
    return README.read_text(encoding="utf-8")


def section(readme: str, command: str) -> str:
    match = re.search(rf"^### `warta {command}`.*?(?=^##)", readme, flags=re.S | re.M)
    assert match, f"README has no section '### `warta {command}`'"
    return match.group(0)


@pytest.mark.parametrize("command", ARCHIVE_COMMANDS)
def test_command_has_a_section_with_an_example(readme: str, command: str) -> None:
    assert f"\nwarta {command}" in section(readme, command)


@pytest.mark.parametrize("command", ARCHIVE_COMMANDS)
def test_every_option_is_documented(readme: str, command: str) -> None:
    params = cli.commands[command].params
    options = [opt for p in params if isinstance(p, click.Option) for opt in p.opts
               if opt.startswith("--") and opt not in ("--help", "--db")]
    text = section(readme, command) + section(readme, "search")  # filters are told once
    missing = [opt for opt in options if opt not in text]
    assert not missing, f"warta {command}: options missing from the README: {missing}"


def test_warta_db_is_a_documented_setting(readme: str) -> None:
    settings = readme.split("## Settings", 1)[1]
    assert "`WARTA_DB`" in settings
