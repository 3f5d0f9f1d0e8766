"""`python -m tests.mockserver`: the demo sites with traps; prints one JSON line of base URLs."""

from __future__ import annotations

import argparse

from crawler.demo.server import add_arguments, build_state, run_until_stopped
from tests.mockserver import start
from tests.mockserver.traps import DEFAULT_BIG_MB, DEFAULT_SLOW_SECONDS, TrapSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mockserver",
                                     description="warta's mock news sites for crawl tests.")
    add_arguments(parser)
    parser.add_argument("--slow-seconds", type=float, default=DEFAULT_SLOW_SECONDS,
                        help=f"delay of the slow page (default {DEFAULT_SLOW_SECONDS})")
    parser.add_argument("--big-mb", type=int, default=DEFAULT_BIG_MB,
                        help=f"size of the huge page in MiB (default {DEFAULT_BIG_MB})")
    args = parser.parse_args(argv)
    try:
        state = build_state(args)
        demo = start(args.sites, host=args.host, ports={k: int(v) for k, v in args.port},
                     state=state,
                     settings=TrapSettings(slow_seconds=args.slow_seconds, big_mb=args.big_mb))
    except (KeyError, ValueError, OSError) as exc:
        parser.exit(2, f"error: {exc}\n")
    run_until_stopped(demo)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
