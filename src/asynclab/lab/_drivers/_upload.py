"""Slow uploads: uploaders trickle bodies in while fast requests are measured beside them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asynclab.lab._drivers._base import Driver, MeasuredWindow, fast_url
from asynclab.load import UploadSpec, ensure_open_files, parse_target, run_load_with_uploaders

if TYPE_CHECKING:
    from asynclab.lab._records import BenchRun
    from asynclab.lab._spec import BenchSpec

DEFAULT_UPLOADERS = 50


class UploadDriver(Driver):
    name = "upload"
    own_settings = ("uploaders", "upload_rate")

    def check(self, spec: BenchSpec) -> None:
        # Validates uploaders and rate; uploaders and fast requests must fit in the limit.
        uploaders = self.upload_spec(spec, "http://127.0.0.1:1/").uploaders
        load = spec.load_spec("http://127.0.0.1:1/")
        ensure_open_files(uploaders + load.most_connections)

    def warm_up_url(self, spec: BenchSpec, base_url: str, variant: str) -> str | None:
        return fast_url(base_url, variant)

    def measure(
        self, spec: BenchSpec, base_url: str, run: BenchRun, window: MeasuredWindow
    ) -> float:
        # The measured requests are the fast ones; the uploads' own figures go to the JSON.
        run.load, run.uploads = run_load_with_uploaders(
            spec.load_spec(fast_url(base_url, run.variant)),
            self.upload_spec(spec, run.url),
            on_progress=window.on_progress,
        )
        return run.load.samples.measured_s or spec.duration_s

    @staticmethod
    def uploaders(spec: BenchSpec) -> int:
        return DEFAULT_UPLOADERS if spec.uploaders is None else spec.uploaders

    def upload_spec(self, spec: BenchSpec, url: str) -> UploadSpec:
        kb = spec.values["kb"]
        return UploadSpec(
            target=parse_target(url),
            uploaders=self.uploaders(spec),
            kb=kb,
            bytes_per_s=spec.upload_rate,
            timeout_s=max(120.0, 3 * kb * 1024 / spec.upload_rate),
        )

    def settings(self, spec: BenchSpec) -> dict[str, Any]:
        return {"uploaders": self.uploaders(spec), "upload_rate": spec.upload_rate}

    def describe_load(self, spec: BenchSpec, load: str) -> str:
        return load + (
            f" of fast requests to hello, beside {self.uploaders(spec)} uploaders sending at "
            f"{spec.upload_rate:g} B/s; the uploads' own figures are in the JSON"
        )
