"""Run every benchmarks/bench_*.py module's `run()` and write what it returns as JSON to
benchmarks/results/<name>.json (name without the `bench_` prefix). Names on the command line
(`run.py readings`, `make bench BENCH=readings`) run only those."""

import importlib.util
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def main() -> int:
    modules = sorted(HERE.glob("bench_*.py"))
    if sys.argv[1:]:
        modules = [m for m in modules if m.stem.removeprefix("bench_") in sys.argv[1:]]
    if not modules:
        print("No benchmarks yet (benchmarks/bench_*.py): nothing to run.")
        return 0
    RESULTS.mkdir(exist_ok=True)
    for path in modules:
        name = path.stem.removeprefix("bench_")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        started = time.perf_counter()
        result = module.run()
        print(f"{name}: {time.perf_counter() - started:.1f}s")
        # Write then rename, so an interrupted run never leaves half a file behind.
        tmp = RESULTS / f"{name}.json.tmp"
        tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
        tmp.replace(RESULTS / f"{name}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
