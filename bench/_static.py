"""A fast static file server for the crawl benches: the files of a folder, each read once and
then held in memory, served over HTTP/1.1 with keep-alive, on 127.0.0.1.

    python bench/_static.py FOLDER      # prints "serving on port N" once listening

Python's `http.server` opens a thread and a connection per request, stats and reads the file
and logs a line: about 1 ms of CPU a page, on the same two cores as the crawls it serves, so
the server, not the crawler, set much of the pace. Here a request costs a dictionary lookup
and one write, on an already open connection, in a plain asyncio protocol.
"""

from __future__ import annotations

import asyncio
import mimetypes
import sys
from pathlib import Path

MAX_HEADER_BYTES = 64 * 1024


class Files:
    """URL path -> (content type, body), each file read on its first request (`dir/` serves
    `dir/index.html`), so pages written after the server started are served too."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self.cache: dict[str, tuple[bytes, bytes]] = {}

    def get(self, url: str) -> tuple[bytes, bytes] | None:
        cached = self.cache.get(url)
        if cached is not None:
            return cached
        path = (self.folder / url.lstrip("/")).resolve()
        if url.endswith("/"):
            path = path / "index.html"
        found = None
        if path.is_relative_to(self.folder) and path.is_file():
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if kind.startswith("text/") or kind.endswith("xml"):
                kind += "; charset=utf-8"
            found = (kind.encode(), path.read_bytes())
            self.cache[url] = found  # a missing file is looked for again next time
        return found


def response(status: bytes, kind: bytes, body: bytes, head: bool) -> bytes:
    header = (b"HTTP/1.1 " + status + b"\r\nContent-Type: " + kind + b"\r\nContent-Length: "
              + str(len(body)).encode() + b"\r\nConnection: keep-alive\r\n\r\n")
    return header if head else header + body


NOT_FOUND = (b"text/plain; charset=utf-8", b"not found\n")


class Connection(asyncio.Protocol):
    """One keep-alive connection: requests cut from the byte stream as they come, each
    answered with one write (pipelined requests too). A plain protocol rather than asyncio's
    streams, whose reader, writer and `drain()` per request were most of this server's CPU."""

    def __init__(self, files: Files) -> None:
        self.files = files
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        buffer = self.buffer + data if self.buffer else data
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head, buffer = buffer[:end], buffer[end + 4:]
            method, _, rest = head.partition(b" ")
            target = rest.partition(b" ")[0].decode("latin-1").split("?", 1)[0]
            found = self.files.get(target)
            head_only = method == b"HEAD"
            if found is None:
                self.transport.write(response(b"404 Not Found", *NOT_FOUND, head_only))
            else:
                self.transport.write(response(b"200 OK", *found, head_only))
        if len(buffer) > MAX_HEADER_BYTES:  # no end of headers in sight: not HTTP
            self.transport.close()
            buffer = b""
        self.buffer = buffer


async def main(folder: Path) -> None:
    files = Files(folder)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Connection(files), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"serving on port {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
