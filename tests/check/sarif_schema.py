"""The SARIF 2.1.0 JSON schema, for validating ``asynclab check --format sarif``.

No PyPI package ships it; Microsoft's ``@microsoft/jest-sarif`` package (MIT licence) on the
npm registry does. The test fetches that tarball once, checks the schema file's SHA-256, and
keeps it under ~/.cache/asynclab; nothing of it is copied into this repository.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import urllib.request
from pathlib import Path
from typing import Any

TARBALL = "https://registry.npmjs.org/@microsoft/jest-sarif/-/jest-sarif-1.0.0-beta.0.tgz"
MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"
SHA256 = "2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "asynclab"


def sarif_schema() -> dict[str, Any]:
    """The schema; raises OSError when it can be neither read from the cache nor fetched."""
    cached = CACHE / "sarif-2.1.0-rtm.5.json"
    if cached.is_file() and hashlib.sha256(cached.read_bytes()).hexdigest() == SHA256:
        return json.loads(cached.read_bytes())
    with urllib.request.urlopen(TARBALL, timeout=60) as response:
        archive = response.read()
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            raise OSError(f"{MEMBER} is not in {TARBALL}")
        data = member.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        raise OSError(f"the SARIF schema from {TARBALL} has SHA-256 {digest}, not {SHA256}")
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(data)
    return json.loads(data)
