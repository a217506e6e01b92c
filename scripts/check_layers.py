#!/usr/bin/env python3
"""Fails when a project include points up the layer order of src/ (or forms a cycle).

src/ is a stack of folders; a file may include headers of its own folder and of the folders
below it, never of a folder above. The order is declared here once (LAYERS, lowest first) and
docs/architecture.md describes it. A folder missing from LAYERS is an error too, so a new folder
has to be given a place.

  scripts/check_layers.py          check; exit 1 with one line per violation
  scripts/check_layers.py --list   print the layers and who includes whom
"""
import pathlib
import re
import sys

# Lowest first. Each folder may include itself and anything listed before it.
LAYERS = [
    "util",         # files, text, errors, hashing, signals, provenance: no project includes
    "activations",  # the registry, formulas, derivatives, activation curves
    "config",       # the typed configuration: keys, parsing, choices
    "kernels",      # hand-written CPU loops
    "data",         # IDX files and the in-memory data sets
    "model",        # the MLP
    "device",       # CPU/CUDA choice, threads, the matrix-multiply peak
    "train",        # engines, optimizers, the training loop, checkpoints
    "results",      # the run file: writing and checking it
    "stats",        # paired tests, intervals, power
    "store",        # the run store
    "plan",         # a config and its sweep axes -> the planned runs
    "summary",      # tables, paired differences and export of a finished sweep
    "sweep",        # running a sweep: its directory, survey, workers, merge, adaptive seeds
    "catalog",      # the sweeps on disk: ls, show, compare
    "cli",          # the subcommands
    ".",            # main.cpp
]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(path: pathlib.Path, src: pathlib.Path) -> str:
    parts = path.relative_to(src).parts
    return parts[0] if len(parts) > 1 else "."


def main() -> int:
    root = pathlib.Path(__file__).resolve().parent.parent
    src = root / "src"
    rank = {name: i for i, name in enumerate(LAYERS)}
    problems = []
    edges = set()
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".h", ".cpp"):
            continue
        here = layer_of(path, src)
        if here not in rank:
            problems.append(f"{path.relative_to(root)}: folder src/{here}/ has no place in "
                            f"LAYERS of scripts/check_layers.py; add it where it belongs")
            continue
        for line_no, target in ((m.string.count("\n", 0, m.start()) + 1, m.group(1))
                                for m in INCLUDE.finditer(path.read_text())):
            if "/" not in target:
                continue  # pch.h and other files of src/ itself
            there = target.split("/")[0]
            if there not in rank:
                continue  # not a project header (e.g. fuzz/targets.h from tests)
            edges.add((here, there))
            if rank[there] > rank[here]:
                problems.append(
                    f"{path.relative_to(root)}:{line_no}: includes {target}, but src/{there}/ "
                    f"sits above src/{here}/ (scripts/check_layers.py LAYERS); move the code "
                    f"or what it needs so that includes point down")
    if "--list" in sys.argv[1:]:
        for name in LAYERS:
            below = sorted((t for h, t in edges if h == name and t != name), key=rank.get)
            print(f"{name:12} -> {', '.join(below) if below else '(nothing)'}")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
