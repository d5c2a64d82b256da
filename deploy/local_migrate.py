"""Several services' migrations in one Python process: `python -m deploy.local_migrate MODULE…`.

`make run` starts four services whose migrations each import SQLAlchemy and Alembic; one process
importing them once, then running each `MODULE` as `python -m MODULE` would, saves seconds of a
loaded machine's first start. The last line on standard output is JSON: `{"failed": null}`, or
the index of the first module that failed and its exit code (`{"failed": 2, "code": 1}`); the
rest are not run after a failure.
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


def main(modules: Sequence[str]) -> int:
    """Run each module's `__main__` in order; stop at the first that fails."""
    for index, module in enumerate(modules):
        try:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as exc:
            code = _exit_code(exc)
        except Exception:
            traceback.print_exc()
            code = 1
        if code != 0:
            print(json.dumps({"failed": index, "code": code}), flush=True)
            return code
    print(json.dumps({"failed": None}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
