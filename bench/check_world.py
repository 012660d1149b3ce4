"""Benchmark: ``asynclab check`` on public Django projects with real async code.

Fetches nothing: give each project's checkout as NAME=PATH (``git archive`` of the pinned
commit, or a work tree at it; a work tree's commit is verified). For each project it prints
files, lines, async functions, seconds, and findings by rule and severity; then it reads the
hand classification in ``bench/check_world_verdicts.json`` (each error and warning finding,
read in the code: ``true`` a real pitfall in code that runs concurrently, ``false`` the
checker is wrong, ``noise`` right but harmless) and prints the precision on error and warning
findings, and every finding not classified yet (to read before trusting the figure).

    python3 bench/check_world.py saleor=/tmp/world/saleor healthchecks=/tmp/world/hc ...
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from asynclab.check import CheckConfig, check_paths

# name -> (GitHub repository, pinned commit). Their code is never committed here.
PROJECTS: dict[str, tuple[str, str]] = {
    "khoj": ("khoj-ai/khoj", "ae229ca894c0b80ad84664afcfdde523b5e87057"),
    "kitchenai": ("epuerta9/kitchenai", "058715622daf376ee69de9395bfa3d080439539f"),
    "django-channels-chat-react--": (
        "asdAet/django-channels-chat-react--",
        "62c2732693b4962b4a0c65d5f29667e7697efd15",
    ),
    "django-channels-shm": (
        "jukanntenn/django-channels-shm",
        "e84e5a201d72335de868f5879792b4e7a2c9984b",
    ),
    "saleor": ("saleor/saleor", "723cd4eba87dfc72822ade45dc08a3caa548428d"),
    "baserow": ("bram2w/baserow", "01c464ff0257f37bd7685c1563a8b8a0ab522897"),
    "paperless-ngx": ("paperless-ngx/paperless-ngx", "b0e0e8a35373a5d9d588a507cb63c79e50a23403"),
    "django-ai-assistant": (
        "vintasoftware/django-ai-assistant",
        "627e8b32e155856ca752b8dd8f3ee9ac7105c9c2",
    ),
    "Dispatcharr": ("Dispatcharr/Dispatcharr", "fd413f0cc4ab3131789a68fb31f1ae622ae7371a"),
    "healthchecks": ("healthchecks/healthchecks", "29b5ec251059034b79e0120e2ff0c3e35d7bd9f8"),
    "channels-examples": (
        "andrewgodwin/channels-examples",
        "5fa86dff822f411e1e6f01765c71eaf8d4f19977",
    ),
    "openwisp-controller": (
        "openwisp/openwisp-controller",
        "a795388fe0633f23e9cdd23ca72a8a113a33db3d",
    ),
    "openwisp-notifications": (
        "openwisp/openwisp-notifications",
        "70e5e0fdf14cf3fa57f3a64d34bf56940fb15038",
    ),
}
VERDICTS = Path(__file__).with_name("check_world_verdicts.json")
_SHOWN = ("error", "warning")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="+", metavar="NAME=PATH")
    args = parser.parse_args()
    verdicts = _verdicts()
    tally: Counter[str] = Counter()
    unclassified: list[str] = []
    header = f"{'project':<28}{'files':>7}{'lines':>10}{'async':>7}{'s':>7}"
    print(f"{header}  findings (error/warning/info)")
    for item in args.checkouts:
        name, _, raw = item.partition("=")
        path = Path(raw)
        if name not in PROJECTS or not path.is_dir():
            print(f"{item}: give NAME=PATH with NAME one of {', '.join(PROJECTS)}", file=sys.stderr)
            return 2
        _verify(name, path)
        started = time.perf_counter()
        report = check_paths([path], CheckConfig(), root=path)
        seconds = time.perf_counter() - started
        asyncs = sum(
            source.count("async def ")
            for source in (p.read_text(errors="replace") for p in path.rglob("*.py"))
        )
        severities = Counter(f.severity for f in report.findings)
        rules = Counter(f.rule for f in report.findings)
        shown = " ".join(f"{rule}:{n}" for rule, n in sorted(rules.items()))
        counts = "/".join(str(severities[s]) for s in ("error", "warning", "info"))
        print(
            f"{name:<28}{report.files:>7,}{report.lines:>10,}{asyncs:>7}{seconds:>7.1f}  "
            f"{counts}  {shown}"
        )
        if report.internal_errors:
            print(f"  checker failures: {report.internal_errors}")
        for finding in report.findings:
            # AL0xx say what was not checked (a file that does not parse, newer syntax): not
            # a claim about the code, so not counted in the precision.
            if finding.severity not in _SHOWN or finding.rule.startswith("AL0"):
                continue
            key = f"{name}:{finding.location.path}:{finding.location.line}:{finding.rule}"
            verdict = verdicts.get(key)
            if verdict is None:
                unclassified.append(f"{key} {finding.message[:90]}")
            else:
                tally[verdict] += 1
    judged = sum(tally.values())
    if judged:
        true = tally["true"]
        print(
            f"\nerror and warning findings classified: {judged} (true {true}, false "
            f"{tally['false']}, noise {tally['noise']}); precision true/all {true / judged:.2f}, "
            f"true/(true+false) {true / max(1, true + tally['false']):.2f}"
        )
    for line in unclassified:
        print(f"unclassified: {line}")
    return 0


def _verdicts() -> dict[str, str]:
    if not VERDICTS.is_file():
        return {}
    entries = json.loads(VERDICTS.read_text())
    return {f"{e['project']}:{e['path']}:{e['line']}:{e['rule']}": e["verdict"] for e in entries}


def _verify(name: str, path: Path) -> None:
    """A work tree must be at the pinned commit; an archive cannot say (a note, not a stop)."""
    done = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    pinned = PROJECTS[name][1]
    if done.returncode != 0:
        print(f"  {name}: not a git work tree; its commit should be {pinned}")
    elif done.stdout.strip() != pinned:
        print(f"  {name}: at {done.stdout.strip()[:12]}, not the pinned {pinned[:12]}")


if __name__ == "__main__":
    sys.exit(main())
