import asyncio
import os
import shutil
import subprocess

WKHTMLTOPDF = shutil.which("wkhtmltopdf") or "/usr/local/bin/wkhtmltopdf"


def tool_versions():
    versions = {}
    for tool, flag in (("wkhtmltopdf", "--version"), ("gs", "--version"), ("convert", "-version")):
        try:
            out = subprocess.check_output([tool, flag], text=True, timeout=5)
        except (OSError, subprocess.SubprocessError):
            versions[tool] = None
            continue
        versions[tool] = out.splitlines()[0].strip()
    return versions


async def ahtml_to_pdf(html_path, pdf_path):
    proc = await asyncio.create_subprocess_exec(WKHTMLTOPDF, "--quiet", html_path, pdf_path)
    returncode = await proc.wait()
    if returncode != 0:
        raise RuntimeError(f"wkhtmltopdf exited with {returncode}")
    return pdf_path


def directory_size(path):
    total = 0
    for entry in os.scandir(path):
        if entry.is_file():
            total += entry.stat().st_size
    return total
