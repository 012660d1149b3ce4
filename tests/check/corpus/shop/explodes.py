"""Importing this module would fail the test run: the checker must only read it."""

raise RuntimeError("asynclab check imported user code")
