"""``--versions 'django==5.2.*,asgiref==3.11.*'``: the requirements of one environment."""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement

from asynclab.errors import UsageError, setting

# A part that starts with an operator continues the previous requirement's specifier:
# 'django>=5.2,<6' is one requirement, 'django==5.2.*,asgiref==3.11.*' two.
_CONTINUATION = re.compile(r"^\s*(==|!=|<=|>=|~=|<|>)")
_PYTHON = re.compile(r"^\s*python\s*={1,2}\s*(3\.\d+)\s*$")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _parts(text: str) -> list[str]:
    """``text`` split at the commas outside brackets (``django[argon2,bcrypt]`` is one)."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


@dataclass(frozen=True)
class VersionSpec:
    """One environment's pins: pip requirements, and optionally its Python (``python=3.13``;
    without it, the first interpreter found on which the requirements install)."""

    text: str
    requirements: tuple[str, ...]
    python: str | None = None

    @classmethod
    def parse(cls, text: str) -> VersionSpec:
        parts: list[str] = []
        for part in _parts(text):
            if _CONTINUATION.match(part) and parts:
                parts[-1] += "," + part.strip()
            elif part.strip():
                parts.append(part.strip())
        python = None
        requirements = []
        for part in parts:
            if found := _PYTHON.match(part):
                python = found.group(1)
                continue
            name = _NAME.match(part)
            if name and name.group(1).lower() == "python":
                raise UsageError(
                    f"{setting('versions')} {text!r}: pick Python as 'python=3.13' (one "
                    f"version), not {part.strip()!r}"
                )
            try:
                Requirement(part)
            except InvalidRequirement:
                raise UsageError(
                    f"{setting('versions')} {text!r}: {part!r} is not a pip requirement; write "
                    "e.g. 'django==5.2.*,asgiref==3.11.*' (and 'python=3.13' to pick Python)"
                ) from None
            requirements.append(part)
        if not requirements:
            raise UsageError(
                f"{setting('versions')} {text!r} names no package: write e.g. 'django==6.1.*'"
            )
        return cls(text, tuple(requirements), python)

    @property
    def slug(self) -> str:
        """A directory name for the environment's results: 'django-5.2-asgiref-3.11'."""
        text = ",".join(self.requirements) + (f",py{self.python}" if self.python else "")
        return re.sub(r"[^A-Za-z0-9.]+", "-", text.replace(".*", "")).strip("-").lower()
