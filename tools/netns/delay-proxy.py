#!/usr/bin/env python3
"""A TCP proxy for tests that adds latency: every chunk read from one side is written to the
other DELAY_MS later (in order), in both directions, so a round trip through it takes 2 x DELAY_MS
more. This kernel has no tc netem; this is the slow link. Exits by itself after LIFETIME seconds,
closing every connection.

Usage: delay-proxy.py LISTEN_IP PORT TARGET_IP TARGET_PORT DELAY_MS LIFETIME_S
"""
import asyncio
import sys


async def pump(reader, writer, delay):
    """Copies reader to writer, each chunk delivered `delay` seconds after it arrived."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def deliver():
        while (item := await queue.get()) is not None:
            due, data = item
            await asyncio.sleep(max(0.0, due - loop.time()))
            writer.write(data)
            await writer.drain()
        writer.close()

    delivery = asyncio.create_task(deliver())
    try:
        while data := await reader.read(65536):
            await queue.put((loop.time() + delay, data))
    except (ConnectionError, OSError):
        pass
    await queue.put(None)
    try:
        await delivery
    except (ConnectionError, OSError):
        pass


async def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    host, port, target, target_port = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    delay, lifetime = int(sys.argv[5]) / 1000, float(sys.argv[6])
    tasks = set()

    async def accepted(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(target, target_port)
        except OSError:
            client_writer.close()
            return
        for task in (asyncio.create_task(pump(client_reader, server_writer, delay)),
                     asyncio.create_task(pump(server_reader, client_writer, delay))):
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    server = await asyncio.start_server(accepted, host, port)
    await asyncio.sleep(lifetime)
    server.close()
    for task in list(tasks):
        task.cancel()


if __name__ == "__main__":
    asyncio.run(main())
