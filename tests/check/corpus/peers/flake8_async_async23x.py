"""flake8-async ASYNC230-232: open(), os.fdopen, and methods on file objects."""

import io
import os


async def open_and_fdopen(fd: int):
    open("")  # expect: AL203
    io.open("")  # expect: AL203
    os.fdopen(fd)  # expect: AL203


async def file_objects(path):
    f = open(path)  # expect: AL203
    f.read()  # expect: AL203
    f.readlines()  # expect: AL203
    with open(path) as g:  # expect: AL203
        g.write("x")  # expect: AL203


async def annotated(f: io.TextIOWrapper, b: io.BufferedReader | None):
    f.read()  # expect: AL203
    b.read()  # expect: AL203


def sync_code(path):
    f = open(path)
    f.read()
