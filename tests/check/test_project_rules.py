"""How the project is served, read from what starts it, decides AL401 and AL403."""

from __future__ import annotations

from pathlib import Path

import pytest

from asynclab.check import CheckConfig, check_paths

VIEWS = """
def index(request):
    return None


def detail(request, pk):
    return None


async def feed(request):
    return None
"""

ASGI_ENTRY = (
    "from django.core.asgi import get_asgi_application\napplication = get_asgi_application()\n"
)


def _project(tmp_path: Path, deploy: dict[str, str]) -> Path:
    (tmp_path / "app").mkdir(parents=True)
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "views.py").write_text(VIEWS)
    (tmp_path / "app" / "asgi.py").write_text(ASGI_ENTRY)
    for name, text in deploy.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def _rules(project: Path) -> list[tuple[str, str]]:
    report = check_paths([project], CheckConfig(), root=project)
    return [(f.rule, f.message) for f in report.findings]


def test_sync_views_under_asgi_only_are_one_finding_listing_them(tmp_path: Path) -> None:
    project = _project(tmp_path, {"Procfile": "web: uvicorn app.asgi:application\n"})
    found = [message for rule, message in _rules(project) if rule == "AL403"]
    assert len(found) == 1
    assert found[0].startswith("2 sync views: `index`, `detail`")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        # a shell array, one word a line; a continued line in a Makefile
        (
            "bin/serve.sh",
            'cmd=(\n  gunicorn\n  --workers 4\n  app.wsgi:application\n)\n"${cmd[@]}"\n',
        ),
        ("Makefile", "serve:\n\tgunicorn \\\n\t\t--bind 0.0.0.0:8000 \\\n\t\tapp.wsgi\n"),
        # a Kubernetes or Helm manifest: command and args
        (
            "deploy/helm/templates/web.yaml",
            'containers:\n  - name: web\n    command: ["gunicorn"]\n'
            '    args: ["app.wsgi:application"]\n',
        ),
    ],
)
def test_a_wsgi_start_command_anywhere_silences_al403(tmp_path: Path, name: str, text: str) -> None:
    asgi = {"Procfile": "web: uvicorn app.asgi:application\n"}
    assert "AL403" in {rule for rule, _ in _rules(_project(tmp_path / "alone", asgi))}
    both = {**asgi, name: text}
    assert "AL403" not in {rule for rule, _ in _rules(_project(tmp_path / "both", both))}


@pytest.mark.parametrize(
    "command",
    [
        "gunicorn app.asgi:application -k uvicorn.workers.UvicornWorker",
        "gunicorn -k asgi app.asgi:application",
        "gunicorn --worker-class asgi app.asgi:application",
    ],
)
def test_gunicorn_with_an_asgi_worker_serves_over_asgi(tmp_path: Path, command: str) -> None:
    project = _project(tmp_path, {"Procfile": f"web: {command}\n"})
    rules = {rule for rule, _ in _rules(project)}
    assert "AL403" in rules and "AL401" not in rules
