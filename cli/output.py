"""Where a command's results go: a rich console for people, or one JSON document with --json."""

from __future__ import annotations

import json
from typing import IO, Any

from rich.console import Console
from rich.table import Table

from cli.client import CliError


class Out:
    """Where results go: a rich console for people, or one JSON document with --json."""

    def __init__(self, as_json: bool, stdout: IO[str], stderr: IO[str]) -> None:
        self.as_json = as_json
        self.stdout, self.stderr = stdout, stderr
        self.console = Console(file=stdout, highlight=False, soft_wrap=True)
        self.errors = Console(file=stderr, highlight=False, soft_wrap=True)

    def data(self, value: Any) -> None:
        """Print a JSON document (only with --json)."""
        self.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")

    def say(self, text: str) -> None:
        """Print a line for people (never with --json)."""
        if not self.as_json:
            self.console.print(text, markup=False)

    def table(self, title: str, head: list[str], rows: list[list[Any]]) -> None:
        """Print a table for people."""
        table = Table(title=title, title_justify="left")
        for h in head:
            table.add_column(h)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        self.console.print(table)

    def failure(self, err: CliError) -> None:
        """Print a failure: the JSON problem with --json, else its title, detail and row errors."""
        if self.as_json:
            self.stderr.write(json.dumps(err.problem or {"title": err.message}, ensure_ascii=False)
                              + "\n")
            return
        self.errors.print(f"错误：{err.message}", markup=False)
        problem = err.problem or {}
        if problem.get("detail"):
            self.errors.print(f"  {problem['detail']}", markup=False)
        for item in (problem.get("errors") or [])[:50]:
            if isinstance(item, dict):
                where = f"第 {item['row']} 行 " if "row" in item else ""
                field = item.get("column") or item.get("field") or item.get("loc") or ""
                value = f"（值 {item['value']!r}）" if item.get("value") not in (None, "") else ""
                self.errors.print(f"  - {where}{field}{value}：{item.get('message') or item.get('msg')}",
                                  markup=False)
