"""``claimsdb serve``'s listening socket: the connections it accepts send at once.

asyncio turns Nagle's algorithm off (TCP_NODELAY) only on connections accepted from a
socket whose protocol says TCP; a socket made with the default protocol 0 left it on,
and every page then waited for the client's delayed ACK of its headers (40 ms on
Linux) before its body left (found by bench/serve_bench.py).
"""

from __future__ import annotations

import asyncio
import socket

from claimsdb.cli.serving import bind


def test_connections_accepted_by_serves_socket_have_nagle_off():
    async def accept_one() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Protocol(asyncio.Protocol):
            def connection_made(self, transport):  # type: ignore[override]
                peer = transport.get_extra_info("socket")
                accepted.set_result(peer.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(
            Protocol, sock=bind("127.0.0.1", 0))
        port = server.sockets[0].getsockname()[1]
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                return await asyncio.wait_for(accepted, 10)
            finally:
                writer.close()

    assert asyncio.run(accept_one()) != 0
