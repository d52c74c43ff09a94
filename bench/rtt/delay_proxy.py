#!/usr/bin/env python3
"""A TCP forwarder that holds every chunk for DELAY_MS before passing it on, in both directions: a distant
upstream (Gmail is tens of milliseconds away) on loopback. Order is kept; bandwidth is not limited.
    delay_proxy.py LISTEN_PORT TARGET_PORT DELAY_MS"""
import asyncio
import sys

listen_port, target_port, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000


async def pipe(reader, writer):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, chunk = await queue.get()
            if chunk is None:
                writer.close()
                return
            await asyncio.sleep(max(0.0, due - loop.time()))
            writer.write(chunk)
            await writer.drain()

    sender = asyncio.create_task(deliver())
    while chunk := await reader.read(65536):
        queue.put_nowait((loop.time() + delay, chunk))
    queue.put_nowait((loop.time() + delay, None))
    await sender


async def serve(client_reader, client_writer):
    upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", target_port)
    await asyncio.gather(pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer), return_exceptions=True)


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()


asyncio.run(main())
