"""Several services' migrations in one Python process.

    python -m deploy.local_migrate MODULE… [--then MODULE ARG…]

`make run` starts four services whose migrations each import SQLAlchemy and Alembic; one process
importing them once, then running each `MODULE` as `python -m MODULE` would, saves seconds of a
loaded machine's first start. `--then` runs one more module with its arguments once every
migration has passed (the gateway's bootstrap, `gateway.bootstrap --json`), its output kept.
The last line on standard output is JSON: `{"failed": null}`, or the index of the first module
that failed (`--then`'s is the number of migrations) and its exit code (`{"failed": 2,
"code": 1}`); nothing runs after a failure.
"""

from __future__ import annotations

import json
import runpy
import sys
import traceback
from collections.abc import Sequence


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)  # sys.exit("message"), as the interpreter would
    return 1


def _run(module: str, args: Sequence[str]) -> int:
    """Run a module as `python -m MODULE ARGS…` would, in this process; its exit code."""
    saved = sys.argv
    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0
    except SystemExit as exc:
        return _exit_code(exc)
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        sys.argv = saved
        sys.stdout.flush()


def main(argv: Sequence[str]) -> int:
    """Run each module's `__main__` in order, then `--then`'s; stop at the first that fails."""
    argv = list(argv)
    then = argv[argv.index("--then") + 1:] if "--then" in argv else []
    modules = argv[:argv.index("--then")] if "--then" in argv else argv
    steps: list[tuple[str, list[str]]] = [(m, []) for m in modules] + ([(then[0], then[1:])] if then else [])
    for index, (module, args) in enumerate(steps):
        code = _run(module, args)
        if code != 0:
            print(json.dumps({"failed": index, "code": code}), flush=True)
            return code
    print(json.dumps({"failed": None}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
