"""The shipped server compresses what it sends when the browser accepts it: Streamlit's
scripts were 2.5 MB of a phone's 3.1 MB consultation page, uncompressed. The bytes are the
same once unpacked, a browser that does not ask gets them plain, and the security headers
stay on the compressed response."""

from __future__ import annotations

import gzip
import http.client
import re

from tests.live_server import live  # noqa: F401  (a fixture: the module's one shipped server)


def _get(port: int, path: str, encoding: str | None) -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Accept-Encoding": encoding} if encoding else {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def test_streamlits_scripts_are_sent_gzip_compressed_and_unpack_to_the_same_bytes(live):  # noqa: F811
    _, page = _get(live.port, "/", None)
    (script,) = re.findall(rb'src="\.?/?(static/js/index\.[^"]+\.js)"', page)[:1]
    packed, packed_body = _get(live.port, "/" + script.decode(), "gzip")
    plain, plain_body = _get(live.port, "/" + script.decode(), None)
    assert packed.status == plain.status == 200
    assert packed.getheader("Content-Encoding") == "gzip" and plain.getheader("Content-Encoding") is None
    assert gzip.decompress(packed_body) == plain_body
    assert len(packed_body) < len(plain_body) / 2
    assert packed.getheader("Content-Security-Policy") and packed.getheader("X-Content-Type-Options") == "nosniff"
