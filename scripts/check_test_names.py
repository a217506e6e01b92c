#!/usr/bin/env python3
"""Fails when a GoogleTest suite is not named after its file, or a test file is not built.

The rule (docs/testing.md): tests/unit/foo_bar_test.cpp and tests/e2e/foo_bar_test.cpp hold the
suites FooBar and FooBar<More> (FooBarCli, FooBarOutputs: further CamelCase words), and a suite
lives in the file whose name is the longest such prefix of it, so HardeningCli is in
hardening_cli_test.cpp, not in hardening_test.cpp. The suite of TEST, TEST_F, TEST_P,
TYPED_TEST and TYPED_TEST_P is checked (a parameterised suite's instantiation prefix, as in
Optimizers/TrainEveryOptimizer, is not part of it). Also: every *_test.cpp under tests/ is in
tests/unit or tests/e2e and listed in tests/CMakeLists.txt, and no two test files share a name.

  scripts/check_test_names.py    check; exit 1 naming each file and suite that breaks the rule
"""
import pathlib
import re
import sys

TIERS = ("unit", "e2e")
SUITE = re.compile(r"^\s*(?:TEST|TEST_F|TEST_P|TYPED_TEST|TYPED_TEST_P)\(\s*(\w+)\s*,", re.M)


def camel(stem: str) -> str:
    """fuzz_regression -> FuzzRegression, sha256 -> Sha256."""
    return "".join(part[:1].upper() + part[1:] for part in stem.split("_"))


def owner(suite: str, names: dict) -> str:
    """The CamelCase file name that is the longest prefix of `suite` at a word boundary."""
    best = ""
    for name in names:
        boundary = len(suite) == len(name) or suite[len(name):len(name) + 1].isupper()
        if suite.startswith(name) and boundary and len(name) > len(best):
            best = name
    return best


def main() -> int:
    root = pathlib.Path(__file__).resolve().parent.parent
    tests = root / "tests"
    listed = (tests / "CMakeLists.txt").read_text()
    errors = []
    files = {}  # CamelCase name -> path
    for path in sorted(tests.rglob("*_test.cpp")):
        rel = path.relative_to(root)
        tier = path.parent.relative_to(tests).as_posix()
        if tier not in TIERS:
            errors.append(f"{rel}: a test file belongs in tests/unit or tests/e2e")
            continue
        if f"{tier}/{path.name}" not in listed:
            errors.append(f"{rel}: not listed in tests/CMakeLists.txt (it would never run)")
        name = camel(path.name[:-len("_test.cpp")])
        if name in files:
            errors.append(f"{rel}: {files[name].relative_to(root)} has the same name")
        files[name] = path
    for name, path in sorted(files.items()):
        rel = path.relative_to(root)
        suites = sorted(set(SUITE.findall(path.read_text())))
        if not suites:
            errors.append(f"{rel}: no TEST, TEST_F or TEST_P")
        for suite in suites:
            home = owner(suite, files)
            if home != name:
                where = f"it belongs in {files[home].relative_to(root)}" if home else (
                    "no test file is named after it")
                errors.append(f"{rel}: suite {suite} is not named after the file ({where}; "
                              f"here: {name} or {name}<More>)")
    for e in errors:
        print(f"check_test_names: {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
