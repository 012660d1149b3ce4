"""ruff ASYNC230: opening files, with open() and pathlib's Path.open (asynclab: AL203)."""

import io
from pathlib import Path


async def builtin_open():
    open("")  # expect: AL203
    io.open_code("")  # expect: AL203
    io.open("")  # expect: AL203
    with open(""):  # expect: AL203
        ...
    async with open(""):  # expect: AL203
        ...


async def path_open():
    Path("foo").open()  # expect: AL203
    p = Path("foo")
    p.open()  # expect: AL203
    with Path("foo").open() as f:  # expect: AL203
        pass


async def closure() -> None:
    p = Path("foo")

    async def bar():
        p.open()  # expect: AL203

    await bar()


async def unpacked() -> None:
    (p1, p2) = (Path("foo"), Path("bar"))
    p1.open()  # expect: AL203


class Foo:
    def open(self):
        pass


async def not_files():
    Foo().open()

    def open():
        pass

    open()


def sync_code():
    open("")
