"""A fork server for the tests' `warta` child processes: Python, Scrapy, Twisted, lxml and
warta's own modules imported once, then one `fork()` per `warta` command.

A `warta` child started from scratch spends most of a short command importing (about 1 s on a
quiet machine, 2-3 s on a loaded one); the suite starts a few hundred of them. Each command
here still runs in a process of its own, with its own pid, exit status, open files, lock and
a reactor installed fresh (the server never imports `twisted.internet.reactor`, which checks
itself after its imports), exactly as `python -m crawler.cli ARGS` would, from the same
`main(ARGS)` with the same environment, folder, `sys.argv` and standard streams (stdin
`/dev/null`, stdout and stderr to files).

Protocol (a Unix socket): the client sends one JSON line `{"argv", "cwd", "env", "stdout",
"stderr"}`; the server forks a monitor, which forks the command and answers `{"pid": N}` then,
when it ends, `{"status": S}` (negative: killed by that signal, as `subprocess` says). The
server ends when its stdin closes (the test session ended, however it ended).

`tests/crawler/warta_run.py` `run_warta` uses it; `start_warta` (the tests about processes:
signals, kills, locks, resumes) always starts the real `python -m crawler.cli`, and so does
`run_warta` when `WARTA_TEST_FORKSERVER=0`.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import pkgutil
import select
import signal
import socket
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "crawler" / "cli.py"
"""`sys.argv[0]` of `python -m crawler.cli` (the lock file names the command with it)."""


def preload() -> None:
    """Import warta's modules and the Scrapy components its settings name, none of which may
    install a reactor (that is the command's own business, in its own process)."""
    from scrapy.settings import default_settings

    import archive
    import crawler

    names = [m.name for pkg in (crawler, archive)
             for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")]
    for value in vars(default_settings).values():
        candidates = value if isinstance(value, dict) else [value]
        names += [c for c in candidates if isinstance(c, str) and c.startswith("scrapy.")]
    for name in names:
        for module in (name, name.rpartition(".")[0]):  # a module, or a class in one
            try:
                importlib.import_module(module)
                break
            except ImportError:
                continue
        if "twisted.internet.reactor" in sys.modules:
            raise SystemExit(f"forkserver: importing {name} installed a reactor")


def run_command(request: dict[str, Any]) -> None:
    """In the forked child: become `python -m crawler.cli ARGV` and never return."""
    status = 1
    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()  # a TZ of the request's environment, read as a new process would
        stdin = os.open(os.devnull, os.O_RDONLY)
        os.dup2(stdin, 0)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        os.close(stdin)
        sys.argv = [str(CLI), *request["argv"]]
        from crawler.cli import main

        status = main(request["argv"])
    except SystemExit as exc:
        if exc.code is None:
            status = 0
        elif isinstance(exc.code, int):
            status = exc.code
        else:
            print(exc.code, file=sys.stderr)
            status = 1
    except BaseException:  # as the interpreter does: the traceback on stderr, status 1
        traceback.print_exc()
        status = 1
    finally:
        try:  # what the interpreter does on its way out: threads joined, atexit, streams
            threading._shutdown()  # type: ignore[attr-defined]
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status & 0xFF)


def monitor(conn: socket.socket, request: dict[str, Any]) -> None:
    """In the forked monitor: fork the command, report its pid and then its status."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    pid = os.fork()
    if pid == 0:
        os.close(conn.fileno())  # the command holds no end of the conversation
        run_command(request)
    try:
        conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        _, wait_status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(wait_status)
        conn.sendall(json.dumps({"status": code}).encode() + b"\n")
    finally:
        os._exit(0)


def serve(path: str) -> None:
    preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # monitors are reaped by the kernel
    print("ready", flush=True)
    while True:
        ready, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1):
            return  # the test session is gone
        if listener not in ready:
            continue
        conn, _ = listener.accept()
        with conn, conn.makefile("rb") as lines:
            request = json.loads(lines.readline())
            sys.stdout.flush()
            sys.stderr.flush()
            if os.fork() == 0:
                listener.close()
                monitor(conn, request)


if __name__ == "__main__":
    serve(sys.argv[1])
