"""Refuse successful responses that cannot hold what was asked for (`ResponseCheckMiddleware`)."""

from __future__ import annotations

from typing import Self

from scrapy.crawler import Crawler
from scrapy.http import Request, Response

from crawler.exceptions import BadResponse

_BINARY_TYPES = (b"image/", b"video/", b"audio/", b"font/", b"application/pdf",
                 b"application/zip", b"application/octet-stream")


class ResponseCheckMiddleware:
    """Refuse a successful response that cannot hold what was asked for: an empty body
    (`errors/empty_body`) or, for an article, a binary file (`errors/not_html`).

    It runs before retries see the response, after redirects are followed.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls()

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("warta_kind") in (None, "robots") or response.status != 200:
            return response
        body = response.body
        if not body or body.isspace():  # `not body.strip()`, without copying the page
            raise BadResponse("empty_body", "HTTP 200 with an empty body")
        if request.meta.get("warta_kind") in ("article", "part"):
            content_type = (response.headers.get("Content-Type") or b"").lower()
            if content_type.startswith(_BINARY_TYPES):
                raise BadResponse("not_html", f"content type {content_type.decode('latin-1')}")
        return response
