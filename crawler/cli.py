"""The `warta` command: the archive's commands (search, show, stats, export, ...) from
`archive.cli`, plus the crawler's own (sites, crawl, extract, demo) added here.

Each command is thin: it parses options and calls one function in `archive/` or `crawler/`.
"""

from __future__ import annotations

from archive.cli import cli, run


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point (`warta`)."""
    return run(cli, argv)


if __name__ == "__main__":
    raise SystemExit(main())
