"""Run the benchmarks: ``python -m bench [NAME-FILTER]``."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench


def main(argv: list[str]) -> int:
    wanted = argv[1] if len(argv) > 1 else ""
    for module in pkgutil.iter_modules(bench.__path__):
        if module.name.startswith("bench_"):
            importlib.import_module(f"bench.{module.name}")
    selected = [(title, func) for title, func in bench.REGISTRY if wanted in title]
    if not selected:
        print(f"No benchmark matches {wanted!r}." if wanted else "No benchmarks yet.")
        return 0
    for title, func in selected:
        print(f"== {title}", flush=True)
        started = time.perf_counter()
        for name, value, unit in func():
            print(f"  {name:<48} {value:>12.2f} {unit}", flush=True)
        print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
