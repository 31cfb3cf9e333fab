"""Benchmarks: `make bench` runs every registered one and prints its figures.

A benchmark is a function that takes no arguments and returns a list of
``(name, value, unit)`` rows; register it with ``@benchmark``. They run against
their own throw-away database and folders, never against the development data.
"""

from __future__ import annotations

from collections.abc import Callable

Figure = tuple[str, float, str]
REGISTRY: list[tuple[str, Callable[[], list[Figure]]]] = []


def benchmark(title: str) -> Callable[[Callable[[], list[Figure]]], Callable]:
    def register(func: Callable[[], list[Figure]]) -> Callable[[], list[Figure]]:
        REGISTRY.append((title, func))
        return func

    return register
