"""ruff ASYNC240: os.path functions and pathlib.Path methods in an async function.

ruff flags every os.path function and Path method but those it lists as pure; asynclab flags
those that ask the filesystem (stat, lstat, readlink) and leaves the string functions
(abspath, normpath, expanduser, ...), which do no I/O a request would wait on.
"""

import os
import os.path
from os.path import exists
from pathlib import Path
from typing import Optional


async def os_path():
    file = "file.txt"
    os.path.exists(file)  # expect: AL203
    os.path.isfile(file)  # expect: AL203
    os.path.isdir(file)  # expect: AL203
    os.path.islink(file)  # expect: AL203
    os.path.ismount(file)  # expect: AL203
    os.path.lexists(file)  # expect: AL203
    os.path.getsize(file)  # expect: AL203
    os.path.getmtime(file)  # expect: AL203
    os.path.getatime(file)  # expect: AL203
    os.path.getctime(file)  # expect: AL203
    os.path.realpath(file)  # expect: AL203
    os.path.samefile(file, file)  # expect: AL203
    exists(file)  # expect: AL203
    os.path.abspath(file)  # ruff: ASYNC240; a string function here
    os.path.normpath(file)  # ruff: ASYNC240; a string function here
    os.path.expanduser(file)  # ruff: ASYNC240; a string function here
    os.path.split(file)
    os.path.dirname(file)
    os.path.basename(file)
    os.path.join(file, file)


async def path_methods():
    path = Path("src/my_text.txt")
    path.exists()  # expect: AL203
    path.is_file()  # expect: AL203
    path.is_dir()  # expect: AL203
    path.stat()  # expect: AL203
    path.read_text()  # expect: AL203
    path.write_text("x")  # expect: AL203
    path.read_bytes()  # expect: AL203
    path.iterdir()  # expect: AL203
    path.glob("*")  # expect: AL203
    path.mkdir()  # expect: AL203
    path.unlink()  # expect: AL203
    path.resolve()  # expect: AL203
    Path("x").exists()  # expect: AL203
    Path("x").absolute().exists()  # expect: AL203
    path.is_absolute()
    path.as_posix()
    path.relative_to("src")
    path.with_suffix(".md")


async def annotated(path: Path, maybe: Path | None, other: Optional[Path]):
    path.exists()  # expect: AL203
    maybe.is_file()  # expect: AL203
    other.read_text()  # expect: AL203


def sync_code():
    Path("x").exists()
    os.path.exists("x")
