"""One check run: find the files, parse each once, index the project, walk its async code,
apply the project rules, then the configuration and the inline suppressions."""

from __future__ import annotations

import ast
import fnmatch
import gc
import io
import os
import re
import sys
import time
import tokenize
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from asynclab.check._analyzer import Analyzer
from asynclab.check._await_rules import never_awaited
from asynclab.check._config import DEFAULT_EXCLUDE, CheckConfig, matches
from asynclab.check._findings import CheckReport, Finding, Location, RelatedLocation
from asynclab.check._grammar import NewerGrammars
from asynclab.check._index import ModuleInfo, ProjectIndex
from asynclab.check._project import project_issues
from asynclab.check._quiet import Quiet
from asynclab.check._read_module import index_module
from asynclab.check._rules import RULES
from asynclab.check._values import Issue
from asynclab.errors import UsageError

# "# asynclab: ignore" (every rule) or "# asynclab: ignore[AL101, AL2]" on a finding's line.
_SUPPRESSION = re.compile(r"#\s*asynclab:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?")


def check_paths(
    paths: Sequence[Path], config: CheckConfig, root: Path | None = None
) -> CheckReport:
    """Check the Python files under ``paths``; never imports or runs them."""
    # Parsing allocates millions of AST nodes, which sets off the cyclic garbage collector
    # again and again over objects that are all still alive: with it paused, a check runs
    # about twice as fast. What the run leaves behind is collected once it is back on.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check_paths(paths, config, root)
    finally:
        if collecting:
            gc.enable()


def _check_paths(paths: Sequence[Path], config: CheckConfig, root: Path | None) -> CheckReport:
    started = time.perf_counter()
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path} does not exist; pass files or directories to check")
    root = Path(os.path.abspath(root or Path.cwd()))
    report = CheckReport(root=root)
    modules: list[ModuleInfo] = []
    findings: list[Finding] = []
    grammars = NewerGrammars()
    newer: list[Finding] = []  # files only a newer Python parses, one AL002 for all
    for path in _python_files(paths, config, root):
        report.files += 1
        module, failure = _parse(path, root, grammars)
        if failure is not None:
            (newer if failure.rule == "AL002" else findings).append(failure)
            continue
        assert module is not None
        source = module.source
        report.lines += source.count("\n") + (1 if source and not source.endswith("\n") else 0)
        modules.append(module)
    if newer:
        findings.append(_needs_newer_python(newer))
    if report.files == 0:
        shown = ", ".join(str(path) for path in paths)
        raise UsageError(f"no Python files in {shown}; pass files or directories with .py files")
    issues: list[Issue] = []
    # A failure of the checker itself (a bug in asynclab, never the user's fault) costs the
    # findings of one function, not the module's or the run's.
    try:
        analyzer = Analyzer(ProjectIndex(modules))
    except Exception as exc:
        report.internal_errors.append(f"the project index: {type(exc).__name__}: {exc}")
        analyzer = Analyzer(ProjectIndex([]))
    for module in modules:
        for function in module.all_functions:
            try:
                issues.extend(analyzer.check_function(function))
            except Exception as exc:
                where = f"{_shown(module.path, root)}:{function.node.lineno} {function.qualname}"
                report.internal_errors.append(f"{where}: {type(exc).__name__}: {exc}")
    try:
        issues.extend(project_issues(analyzer.index, paths))
    except Exception as exc:
        report.internal_errors.append(f"the project rules: {type(exc).__name__}: {exc}")
    try:
        issues.extend(never_awaited(analyzer.index))
    except Exception as exc:
        report.internal_errors.append(f"the await rules: {type(exc).__name__}: {exc}")
    findings.extend(_finding(issue, root) for issue in issues)
    try:
        quiet = Quiet.of(modules, paths, {m.path: _shown(m.path, root) for m in modules})
        findings = [quiet.apply(finding) for finding in findings]
    except Exception as exc:
        report.internal_errors.append(f"the quiet places: {type(exc).__name__}: {exc}")
    sources = {_shown(module.path, root): module.source for module in modules}
    suppressions: dict[str, dict[int, set[str] | None]] = {}
    base = config.base(root)
    for finding in findings:
        if not config.selects(finding.rule) or _ignored_for_file(finding, config, root, base):
            continue
        if _suppressed(finding, suppressions, sources, root):
            report.suppressed += 1
            continue
        report.findings.append(finding)
    report.findings = _one_per_root_cause(sorted(report.findings, key=_order))
    report.seconds = time.perf_counter() - started
    return report


def _one_per_root_cause(findings: list[Finding]) -> list[Finding]:
    """A helper's pitfall reached from many async call sites is one finding (at the first),
    naming the others: one fix in the helper mends them all, and a count of call sites is
    not a count of problems."""
    first: dict[tuple[str, str, int], int] = {}
    others: dict[int, list[Location]] = {}
    kept: list[Finding] = []
    for finding in findings:
        if not finding.related:
            kept.append(finding)
            continue
        inner = finding.related[-1].location
        key = (finding.rule, inner.path, inner.line)
        if key in first:
            others[first[key]].append(finding.location)
            continue
        first[key] = len(kept)
        others[len(kept)] = []
        kept.append(finding)
    for index, sites in others.items():
        if sites:
            finding = kept[index]
            shown = ", ".join(f"{s.path}:{s.line}" for s in sites[:3])
            more = f" and {len(sites) - 3} more" if len(sites) > 3 else ""
            kept[index] = replace(
                finding,
                message=f"{finding.message}; also reached from {len(sites)} more call "
                f"site{'s' if len(sites) > 1 else ''} ({shown}{more})",
                related=(
                    *finding.related,
                    *(RelatedLocation(site, "also reached from here") for site in sites),
                ),
            )
    return kept


def _order(finding: Finding) -> tuple[str, int, int, str]:
    where = finding.location
    return where.path, where.line, where.column, finding.rule


def _python_files(paths: Sequence[Path], config: CheckConfig, root: Path) -> Iterator[Path]:
    seen: set[str] = set()
    excluded_names = set(DEFAULT_EXCLUDE)
    for path in paths:
        if path.is_file():
            resolved = os.path.realpath(path)
            if resolved not in seen:  # a file named on the command line is always checked
                seen.add(resolved)
                yield path
            continue
        for directory, subdirectories, files in os.walk(path):
            subdirectories[:] = sorted(
                name
                for name in subdirectories
                if name not in excluded_names
                and not (Path(directory, name) / "pyvenv.cfg").exists()
                and not _excluded(Path(directory, name), config, root)
            )
            for name in sorted(files):
                if not name.endswith(".py"):
                    continue
                file = Path(directory, name)
                if not (file.is_file() or file.is_symlink()):
                    continue  # a FIFO or a socket named *.py: reading it would wait forever
                if _excluded(file, config, root):
                    continue
                resolved = os.path.realpath(file)
                if resolved not in seen:
                    seen.add(resolved)
                    yield file


def _excluded(path: Path, config: CheckConfig, root: Path) -> bool:
    if not config.exclude:
        return False
    shown = _shown(path, config.base(root))
    return any(
        fnmatch.fnmatch(shown, pattern) or fnmatch.fnmatch(path.name, pattern)
        for pattern in config.exclude
    )


def _parse(
    path: Path, root: Path, grammars: NewerGrammars
) -> tuple[ModuleInfo | None, Finding | None]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, _broken(path, root, 1, 0, f"cannot read the file: {exc.strerror or exc}")
    try:
        source = data.decode("utf-8-sig")  # a byte-order mark is legal Python
    except UnicodeDecodeError:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            source = data.decode(encoding)
        except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
            return None, _broken(path, root, 1, 0, f"cannot decode the file: {exc}")
    try:
        with warnings.catch_warnings():  # the checked code's SyntaxWarnings are not ours
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        line, column = exc.lineno or 1, max((exc.offset or 1) - 1, 0)
        newer = grammars.parses(path)
        if newer is not None:  # valid Python, only newer: gathered into one AL002
            location = Location(_shown(path, root), line, column + 1, line, column + 2)
            return None, Finding("AL002", "warning", newer, RULES["AL002"].fix, location, "")
        return None, _broken(path, root, line, column, f"syntax error: {exc.msg}")
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        return None, _broken(path, root, 1, 0, f"cannot parse the file: {type(exc).__name__}")
    return index_module(path, source, tree), None


def _needs_newer_python(files: list[Finding]) -> Finding:
    """One finding for every file only a newer Python parses (each message holds its
    version), at the first of them."""
    version = max(files, key=lambda f: tuple(map(int, f.message.split(".")))).message
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    paths = sorted(f.location.path for f in files)
    shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
    many = len(paths) > 1
    count = f"{len(paths)} files need" if many else "1 file needs"
    message = (
        f"{count} Python {version} to parse and {'were' if many else 'was'} not checked "
        f"({shown}): this is {running}; run asynclab under Python {version} or newer"
    )
    first = min(files, key=lambda f: f.location.path)
    return Finding("AL002", "warning", message, RULES["AL002"].fix, first.location, "")


def _broken(path: Path, root: Path, line: int, column: int, message: str) -> Finding:
    location = Location(_shown(path, root), line, column + 1, line, column + 2)
    return Finding("AL001", "error", message, RULES["AL001"].fix, location, "")


def _finding(issue: Issue, root: Path) -> Finding:
    rule = RULES[issue.rule]
    location = _location(issue.module, issue.node, root)
    chain = issue.chain()
    related: list[RelatedLocation] = []
    if len(chain) == 1:
        message = issue.what
    else:
        innermost = chain[-1]
        at = _location(innermost.module, innermost.node, root)
        callees = [step.callee for step in chain[:-1] if step.callee]
        place = f"line {at.line}" if at.path == location.path else f"{at.path}:{at.line}"
        message = f"{innermost.what}, at {place} in `{callees[-1]}()`"
        if len(callees) > 1:
            message += ", reached through " + " -> ".join(f"`{c}()`" for c in callees[:-1])
        if issue.more:
            message += f" (and {issue.more} more like it there)"
        for step, callee in zip(chain[1:], callees, strict=True):
            related.append(
                RelatedLocation(_location(step.module, step.node, root), f"in `{callee}()`")
            )
    if issue.context is not None:
        message += f", in async `{issue.context}`"
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        message=message,
        fix=issue.fix or rule.fix,
        location=location,
        source=issue.module.line(location.line),
        related=tuple(related),
    )


def _location(module: ModuleInfo, node: object, root: Path) -> Location:
    line = getattr(node, "lineno", 1)
    end_line = getattr(node, "end_lineno", None) or line
    column = _characters(module.line(line), getattr(node, "col_offset", 0))
    end = getattr(node, "end_col_offset", None)
    end_column = _characters(module.line(end_line), end) if end is not None else column + 1
    return Location(_shown(module.path, root), line, column + 1, end_line, end_column + 1)


def _characters(line: str, byte_offset: int) -> int:
    """ast gives UTF-8 byte offsets; editors and SARIF count characters."""
    if line.isascii():
        return byte_offset
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))


def _shown(path: Path, root: Path) -> str:
    # abspath, not resolve: a symlink is shown under its own name (and loops do not raise)
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


def _ignored_for_file(finding: Finding, config: CheckConfig, root: Path, base: Path) -> bool:
    if not config.per_file_ignores:
        return False
    path = _shown(root / finding.location.path, base)
    for pattern, rules in config.per_file_ignores.items():
        if fnmatch.fnmatch(path, pattern) and matches(finding.rule, rules):
            return True
    return False


def _suppressed(
    finding: Finding,
    cache: dict[str, dict[int, set[str] | None]],
    sources: dict[str, str],
    root: Path,
) -> bool:
    """An ``# asynclab: ignore`` on the finding's lines, or on a line of the chain of calls
    that led to it (the blocking line inside a helper silences it at every call)."""
    places = [(finding.location.path, finding.location.line, finding.location.end_line)]
    places += [(r.location.path, r.location.line, r.location.line) for r in finding.related]
    for path, first, last in places:
        if path not in cache:
            source = sources.get(path)
            if source is None:
                try:
                    source = (root / path).read_text(encoding="utf-8", errors="replace")
                except OSError:
                    source = ""
            cache[path] = _suppressions(source)
        marks = cache[path]
        for line in {first, last}:
            if line in marks:
                rules = marks[line]
                if rules is None or matches(finding.rule, rules):
                    return True
    return False


def _suppressions(source: str) -> dict[int, set[str] | None]:
    """Line -> the rule ids ignored there (None: every rule)."""
    if "asynclab:" not in source:
        return {}
    marks: dict[int, set[str] | None] = {}
    for number, line in enumerate(source.splitlines(), 1):
        if "asynclab:" not in line:
            continue
        match = _SUPPRESSION.search(line)
        if match is None:
            continue
        if match.group(1) is None:
            marks[number] = None
        else:
            listed = match.group(1).split(",")
            marks[number] = {rule.strip().upper() for rule in listed if rule.strip()}
    return marks
