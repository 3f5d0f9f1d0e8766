"""`crawler.runtime.logs`: a network failure is one line; the archive's stop is the CLI's."""

from __future__ import annotations

import io
import logging
import sys

from scrapy.settings import Settings
from twisted.internet.error import ConnectionLost

from crawler.runtime.archivestop import REPORTED_BY_CLI
from crawler.runtime.logs import OneLineNetworkErrors, install_logging


def record(name: str, exc: BaseException | None) -> logging.LogRecord:
    try:
        if exc is not None:
            raise exc
    except BaseException:
        info = sys.exc_info()
    else:
        info = None
    return logging.LogRecord(name, logging.ERROR, __file__, 1, "failed: %s", ("x",), info)


def test_a_network_failure_loses_its_traceback_and_robots_txt_its_record() -> None:
    one_line = OneLineNetworkErrors()
    lost = record("scrapy.core.scraper", ConnectionLost())
    assert one_line.filter(lost) and lost.exc_info is None
    assert not one_line.filter(record("scrapy.downloadermiddlewares.robotstxt", ConnectionLost()))
    bug = record("crawler.spiders.news", ValueError("bug"))
    assert one_line.filter(bug) and bug.exc_info is not None


def test_the_terminal_leaves_out_what_the_cli_reports_itself() -> None:
    stream = io.StringIO()
    level = logging.getLogger().level
    handler = install_logging(Settings({"LOG_LEVEL": "WARNING", "LOG_FORMAT": "%(message)s"}),
                              stream)
    try:
        REPORTED_BY_CLI.add("the crawl stopped: test")
        logging.getLogger("crawler.test").warning("the crawl stopped: test")
        logging.getLogger("crawler.test").warning("kept")
        logging.getLogger("crawler.test").info("below the level")
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
        REPORTED_BY_CLI.discard("the crawl stopped: test")
    assert stream.getvalue() == "kept\n"
