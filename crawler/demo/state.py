"""What can change on a demo site while it is served: added articles, edits, a layout change.

Scheduled-crawl tests (and benchmarks) need a site that moves between two crawls without
changing address: the server keeps one `DemoState`, and the mock server's control endpoint or
the demo server's command-line flags change it. Every change bumps `version`, which the sites
use to drop their rendered-page caches.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

WITA = timezone(timedelta(hours=8), "WITA")

DEFAULT_SPACING_MINUTES = 60
"""Minutes between two added articles. With the crawler's default refresh window of two days,
an hourly spacing keeps 48 of 2,000 added articles inside the window (2.4%): realistic for a
busy regional outlet, and small enough for the re-crawl benchmark's 5% request target."""


@dataclass(frozen=True)
class Edit:
    """A correction made to a published article."""

    title: str | None
    paragraph: str | None
    when: datetime


@dataclass
class SiteState:
    """The changes applied to one outlet."""

    added: list[datetime] = field(default_factory=list)
    """Publication instants of the generated articles, oldest first (index = article number)."""
    edits: dict[str, Edit] = field(default_factory=dict)
    layout_changed: bool = False


def now_wita() -> datetime:
    """The current time in WITA, to the second."""
    return datetime.now(WITA).replace(microsecond=0)


class DemoState:
    """The mutable part of all demo outlets; safe to change from any thread."""

    def __init__(self, sites: list[str] | tuple[str, ...]) -> None:
        self._lock = threading.Lock()
        self.sites: dict[str, SiteState] = {key: SiteState() for key in sites}
        self.version = 0
        self.response_delay = 0.0
        """Seconds added before every response (not part of `version`: pages do not change).
        Makes a crawl last long enough for a test to interrupt it half way."""
        self.clock: datetime | None = None
        """The outlets' "now" when set (`set_clock`): articles published later are not shown
        yet and edits made later not yet made, so a simulation can publish an article an hour
        and edit it later by moving the clock, without waiting. None: everything added is
        shown (the real clock plays no part)."""

    def now(self) -> datetime:
        """The outlets' now: the clock when set, else the real time (WITA)."""
        return self.clock.astimezone(WITA) if self.clock is not None else now_wita()

    def set_clock(self, when: datetime | None) -> None:
        """Move the outlets' clock (None: back to showing everything)."""
        if when is not None and when.tzinfo is None:
            raise ValueError("the clock must carry its UTC offset")
        with self._lock:
            self.clock = when
            self.version += 1

    def shown(self, when: datetime) -> bool:
        """Whether something published or made at `when` has happened by the clock."""
        clock = self.clock
        return clock is None or when <= clock

    def _site(self, key: str) -> SiteState:
        try:
            return self.sites[key]
        except KeyError:
            raise KeyError(f"unknown demo site {key!r} (known: {', '.join(self.sites)})") from None

    def add_articles(self, key: str, n: int, newest: datetime | None = None,
                     spacing_minutes: float = DEFAULT_SPACING_MINUTES) -> None:
        """Publish `n` generated articles; the newest at `newest` (default: now), each earlier
        one `spacing_minutes` before the next. Later calls continue the numbering."""
        if n < 0:
            raise ValueError("the number of articles to add must be 0 or more")
        newest = newest or self.now()
        if newest.tzinfo is None:
            raise ValueError("newest must carry its UTC offset")
        step = timedelta(minutes=spacing_minutes)
        # pages show times to the minute, so the instants are whole minutes (expected = shown)
        times = [(newest - step * (n - 1 - i)).replace(second=0, microsecond=0)
                 for i in range(n)]
        with self._lock:
            site = self._site(key)
            site.added.extend(times)
            self.version += 1

    def edit_article(self, key: str, article_id: str, title: str | None = None,
                     paragraph: str | None = None, when: datetime | None = None) -> Edit:
        """Correct an article: a new title and/or one more paragraph (defaults say "updated"),
        at `when` (default: now; a later time with the clock set: the edit shows from then)."""
        when = when or self.now()
        if title is None and paragraph is None:
            paragraph = (
                "Pembaruan: berita ini dilengkapi keterangan tambahan dari narasumber pada "
                f"{when.astimezone(WITA):%d/%m/%Y} pukul {when.astimezone(WITA):%H.%M} WITA."
            )
        edit = Edit(title=title, paragraph=paragraph, when=when)
        with self._lock:
            self._site(key).edits[article_id] = edit
            self.version += 1
        return edit

    def set_layout_changed(self, key: str, changed: bool = True) -> None:
        """Switch an outlet to its "new front end" (see `templates.render_changed_layout`)."""
        with self._lock:
            self._site(key).layout_changed = changed
            self.version += 1

    def set_response_delay(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the response delay must be 0 or more seconds")
        self.response_delay = seconds

    def reset(self) -> None:
        """Back to the bundled content: no added articles, no edits, original layout, no
        response delay."""
        with self._lock:
            for key in self.sites:
                self.sites[key] = SiteState()
            self.response_delay = 0.0
            self.clock = None
            self.version += 1

    def snapshot(self) -> dict[str, object]:
        """A JSON-friendly summary (for the control endpoint)."""
        with self._lock:
            return {
                "version": self.version,
                "response_delay": self.response_delay,
                "clock": self.clock.isoformat() if self.clock is not None else None,
                "sites": {
                    key: {
                        "added": len(s.added),
                        "edited": sorted(s.edits),
                        "layout_changed": s.layout_changed,
                    }
                    for key, s in self.sites.items()
                },
            }
