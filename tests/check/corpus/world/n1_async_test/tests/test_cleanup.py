# From a real project: django-channels-shm (blocking set-up in an async test: info).
import os

import pytest


@pytest.mark.asyncio
async def test_removes_file(tmp_path):
    path = tmp_path / "x.sock"
    path.write_text("")  # set-up in a test: nothing else shares this loop
    os.unlink(path)  # expect: AL203
    assert not path.exists()
