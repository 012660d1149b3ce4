# From a real project: kitchenai (a long-running asyncio.run service is not a one-shot script).
import asyncio


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    data = await reader.read(65536)
    with open("/tmp/inbox.bin", "ab") as f:  # blocks every other connection  # expect: AL203
        f.write(data)  # expect: AL203
    writer.close()


async def serve() -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", 9000)
    async with server:
        await server.serve_forever()  # long-running, many clients at once


if __name__ == "__main__":
    asyncio.run(serve())
