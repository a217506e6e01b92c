#!/usr/bin/env python3
"""Fails when a function in src/ is longer than 80 lines (tables excepted).

A long body reads better as named phases. The exceptions are pure tables, listed in TABLES with
why. Lengths come from universal-ctags (Debian's universal-ctags: the `end:` field).

  scripts/check_functions.py           check; exit 1 naming each long function
  scripts/check_functions.py --top N   print the N longest functions (name, file, lines)
"""
import pathlib
import shutil
import subprocess
import sys

LIMIT = 80
# Pure tables: one entry per config key / per activation, nothing else in them.
TABLES = {
    ("src/config/keys.cpp", "declare_keys"),
    ("src/activations/registry.cpp", "build_registry"),
}


def functions(root: pathlib.Path):
    ctags = shutil.which("ctags")
    if ctags is None:
        sys.exit("check_functions: ctags not found; install universal-ctags (scripts/setup.sh --tests)")
    out = subprocess.run(
        [ctags, "-R", "--languages=C++", "--kinds-C++=f", "--fields=+ne", "-x",
         "--_xformat=%N\t%F\t%n\t%e", "src"],
        cwd=root, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        name, path, start, end = line.split("\t")
        if start and end:
            yield name, path, int(end) - int(start) + 1


def main() -> int:
    root = pathlib.Path(__file__).resolve().parent.parent
    found = sorted(functions(root), key=lambda f: -f[2])
    if "--top" in sys.argv:
        n = int(sys.argv[sys.argv.index("--top") + 1])
        for name, path, lines in found[:n]:
            table = " (table)" if (path, name) in TABLES else ""
            print(f"{lines:5}  {name}  {path}{table}")
        return 0
    long = [f for f in found if f[2] > LIMIT and (f[1], f[0]) not in TABLES]
    for name, path, lines in long:
        print(f"{path}: {name} is {lines} lines (at most {LIMIT}); split it into named phases",
              file=sys.stderr)
    return 1 if long else 0


if __name__ == "__main__":
    sys.exit(main())
