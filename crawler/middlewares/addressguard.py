"""Refuse requests for addresses an outlet must not reach (`AddressGuardMiddleware`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.http import Request, Response

from crawler.exceptions import RefusedRequest
from crawler.sites import spider_profiles
from crawler.urls import address_class, ip_class, ip_of, refused_address, url_host


class AddressGuardMiddleware:
    """Refuse, before anything is sent, a request for an address an outlet must not reach:
    link-local (the cloud metadata service at 169.254.169.254), private, loopback and other
    non-public addresses written as IP literals or `localhost`, and schemes other than http(s)
    (`crawler.urls.refused_address`). An outlet that is itself on such an address class (the
    demo sites on loopback) may use that class. Redirects come back through here as new
    requests, so they are judged the same way.

    Host names are not resolved here: a lookup per request would cost a DNS round trip and
    could answer differently from the one the connection makes (DNS rebinding). Instead, when
    a response arrives, the address the connection reached (`response.ip_address`) is checked
    for hosts the outlet does not own; a private one refuses the response
    (`resolved_<class>`), so nothing found there is followed. The request itself has then
    been sent: that check limits the harm, the literal check prevents it.

    Runs first among the downloader middlewares (before robots.txt is asked for the host, so a
    refused host is not even asked for its robots.txt). Always on: it reads the plain request
    metadata (`warta_site`) and the outlet profiles the spider carries.
    """

    def __init__(self, profiles: Mapping[str, Any]) -> None:
        self.profiles = profiles
        self._homes = [p.homepage for p in profiles.values()]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(spider_profiles(crawler))

    def _refusal(self, url: str, site: str | None) -> str | None:
        profile = self.profiles.get(site) if site else None
        if profile is not None:
            return refused_address(url, profile.homepage)
        # Scrapy's own requests (robots.txt) carry no outlet: allowed when any outlet of the
        # crawl may go there.
        reasons = [refused_address(url, home) for home in self._homes] or [
            refused_address(url, None)]
        return None if None in reasons else reasons[0]

    def process_request(self, request: Request) -> None:
        reason = self._refusal(request.url, request.meta.get("warta_site"))
        if reason is not None:
            raise RefusedRequest(reason, request.url, "(not a public web address)")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        peer = getattr(response, "ip_address", None)
        if peer is None:
            return response
        found = ip_class(peer)
        if found is None:
            return response
        site = request.meta.get("warta_site")
        profile = self.profiles.get(site) if site else None
        host = url_host(request.url)
        if ip_of(host) is not None or (profile is not None and profile.owns(request.url)):
            return response  # a literal was judged before sending; the outlet's own hosts pass
        homes = [profile.homepage] if profile is not None else self._homes
        if any(address_class(url_host(home)) == found for home in homes):
            return response
        raise RefusedRequest(f"resolved_{found}", request.url,
                             f"(its server answered from {peer}, a {found} address)")
