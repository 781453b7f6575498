"""Giving a fault that needs the connection (reset, close, truncated, garbage, hang), through the server's
`sivi.connection` extension (`mock_server.faults`).

Under a server that does not offer the connection (plain uvicorn, Hypercorn, Granian), such a fault cannot be given:
the request gets the mock's own error instead (412, `Sivi-Mock-Error: fault`), naming the fault and what to serve
the mock with. A silent approximation would let a test pass that proves nothing.
"""

from __future__ import annotations

from starlette.types import Send

from mock_server.faults import FAULT_RULES, Connection, Given
from mock_server.mock.replies import MOCK_ERROR, MOCK_ERROR_STATUS, Reply, mock_error, send_reply

# Bytes no HTTP client can read as an answer: no status line, binary, then the connection closes.
GARBAGE = b"\x00\xff\xfe\xfd sivi-mock fault garbage: these bytes are not HTTP \x80\x81\x82\r\n\r\n"


def unavailable_reply(fault: str) -> Reply:
    message = (
        f"sivi-mock cannot give the fault {fault}: the server running the mock does not offer the connection (the"
        " sivi.connection ASGI extension). Serve it with sivi-mock, BackgroundServer or the kit's protocol,"
        " mock_server.serving.protocol.with_request_deadline"
    )
    return mock_error(MOCK_ERROR_STATUS, "fault", message, answer_class=MOCK_ERROR, fault=fault)


async def give(connection: Connection, send: Send, reply: Reply, hang_limit: float) -> None:
    """Give `reply.fault` on `connection`; return once the connection is gone. A fault given as an ordinary answer
    (a gateway's page) is sent as one."""
    given = FAULT_RULES[reply.fault].given if reply.fault is not None else None
    if given is Given.RESET:
        await connection.reset()
    elif given is Given.CLOSE:
        await connection.close()
    elif given is Given.GARBAGE:
        connection.write(GARBAGE)
        await connection.close()
    elif given is Given.HOLD:
        await connection.hold(hang_limit)
    elif given is Given.CUT:
        # The whole answer's head, its length included, then half of its body.
        length = str(len(reply.body)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": reply.status,
                "headers": [*reply.headers, (b"content-length", length)],
            }
        )
        await send({"type": "http.response.body", "body": reply.body[: len(reply.body) // 2], "more_body": True})
        await connection.close()
    else:
        await send_reply(send, reply)
