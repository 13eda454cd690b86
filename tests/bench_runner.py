"""Run several bench scripts for tests/test_benches.py at the cost of one start-up: this
process imports what the scripts import once, then runs each script in a child forked from
it (a process of its own, as ``python bench/<script>`` would be: ``__name__ == "__main__"``,
its own ``sys.argv``, its output in a file of its own), one after the other. Importing the
app (geopandas, streamlit, DuckDB …) is ~3 s of CPU a process; a bench on tiny parameters
often takes less.

    python tests/bench_runner.py RESULTS.json  <  [[script, [argv…], output-file], …]

writes ``{script-and-index: exit status}`` to RESULTS.json (a signal as its negative
number), each script's stdout and stderr to its output file, and prints each script's CPU
time."""

from __future__ import annotations

import ast
import importlib
import json
import os
import runpy
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def _imports(script: Path) -> list[str]:
    """The modules a script imports at its top level, in order (not its own helpers: a
    bench's sibling module is imported by the bench itself, in its child)."""
    found = []
    for node in ast.parse(script.read_text("utf-8")).body:
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module != "__future__":
            found.append(node.module)
    siblings = {p.stem for p in BENCH.glob("*.py")}
    return [name for name in found if name.split(".")[0] not in siblings | {"bench"}]


def _child(script: Path, argv: list[str], output: str) -> None:
    """In the forked child: run ``script`` as ``__main__``; never returns."""
    code = 0
    try:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        sys.argv = [str(script), *argv]
        sys.path[0] = str(script.parent)
        try:
            runpy.run_path(str(script), run_name="__main__")
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
            if not isinstance(exit_.code, int | None):
                print(exit_.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def main() -> None:
    results_path = sys.argv[1]
    runs = json.load(sys.stdin)
    sys.path.insert(0, str(ROOT))
    for name in dict.fromkeys(m for script, _, _ in runs for m in _imports(BENCH / script)):
        importlib.import_module(name)  # once, here: each child starts with it loaded
    results = {}
    for n, (script, argv, output) in enumerate(runs):
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(BENCH / script, argv, output)
        _, status, usage = os.wait4(pid, 0)
        results[f"{n}:{script}"] = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        print(f"{script} {' '.join(argv)}: exit {results[f'{n}:{script}']}, {cpu:.1f} s of CPU", flush=True)
    Path(results_path).write_text(json.dumps(results))


if __name__ == "__main__":
    main()
