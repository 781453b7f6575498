"""An `Upgrade` offered to a server that has none: ignored, the request read as if it had not offered it.

httptools reads a request offering an upgrade (`Connection: upgrade` with `Upgrade: h2c` or `websocket`; `curl
--http2` offers h2c on every `http://` request) as the last HTTP of its connection: it skips the body and stops.
uvicorn, with no upgrade to make, then hands the app that request with an empty body: the mock answered a valid
request 422, and the proxy relayed `content-length: 0` under the real key and blamed the upstream for the answer.

RFC 9110 (section 7.8) lets a server ignore an `Upgrade`, and this API has no other protocol, so the request is
read again from its head, without the `Upgrade` header: its body, and what follows it on the connection, are
HTTP/1.1 as before. A `CONNECT` (the other request httptools hands over) has nothing to take away and gets `400`
in the API's envelope. Only a request that offers an upgrade pays for this; every other pays one flag's check.
"""

from __future__ import annotations

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mock_server.spec.envelope import raw_error_answer


def connect_answer() -> bytes:
    message = "this API has no CONNECT and no other protocol to upgrade to; the connection is closed"
    return raw_error_answer(400, message)


_CONNECT = connect_answer()


class UpgradeIgnored(HttpToolsProtocol):
    """uvicorn's `HttpToolsProtocol`, reading a request that offers an upgrade as one that does not."""

    _upgrade_offered = False  # the head just parsed offers one: no request is started for it, it is read again

    def data_received(self, data: bytes) -> None:
        # uvicorn's own `data_received`, but for the upgrade: bytes arriving end the keep-alive wait, bytes that are
        # not HTTP get `send_400_response`.
        waiting = self.timeout_keep_alive_task
        if waiting is not None:
            waiting.cancel()
            self.timeout_keep_alive_task = None
        while data:
            try:
                self.parser.feed_data(data)
                return
            except httptools.HttpParserError:
                self.logger.warning("Invalid HTTP request received.")
                self.send_400_response("Invalid HTTP request received.")
                return
            except httptools.HttpParserUpgrade as upgrade:
                data = self._read_again_without_upgrade(data[upgrade.args[0] :])

    def on_headers_complete(self) -> None:
        if self.parser.should_upgrade():
            self._upgrade_offered = True
            return
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        if self._upgrade_offered:
            return  # the parser skipped the body it offered to upgrade; it is read when the head is read again
        super().on_message_complete()

    def _read_again_without_upgrade(self, rest: bytes) -> bytes:
        """The bytes to parse now: the head just read, without its `Upgrade`, then `rest`, with a fresh parser
        (this one stopped for good); or none, the connection refused, when there is no `Upgrade` to take away."""
        self._upgrade_offered = False
        kept = [(name, value) for name, value in self.headers if name != b"upgrade"]
        if len(kept) == len(self.headers):
            if not self.transport.is_closing():
                self.transport.write(_CONNECT)
                self.transport.close()
            return b""
        version = self.parser.get_http_version().encode()
        head = [self.parser.get_method(), b" ", self.url, b" HTTP/", version, b"\r\n"]
        for name, value in kept:
            head += [name, b": ", value, b"\r\n"]
        head.append(b"\r\n")
        self.parser = httptools.HttpRequestParser(self)
        self.parser.set_dangerous_leniencies(lenient_data_after_close=True)  # as uvicorn sets its parser
        return b"".join(head) + rest
