"""The demo outlet templates, by key (see `crawler.demo` for what each one exercises)."""

from __future__ import annotations

from crawler.demo.outlets.benuaetam import BenuaEtam
from crawler.demo.outlets.kaltimnews import KaltimNews
from crawler.demo.outlets.mahakampos import MahakamPos
from crawler.demo.site import Outlet

OUTLETS: dict[str, type[Outlet]] = {
    KaltimNews.key: KaltimNews,
    MahakamPos.key: MahakamPos,
    BenuaEtam.key: BenuaEtam,
}
