#!/usr/bin/env python3
"""Fails when a module includes a header of a module it must not depend on.

The allowed edges are the module graph of docs/architecture.md. Bazel enforces
it with deps/visibility; this test makes a plain CMake build catch a bad edge
too. Usage: include_graph_test.py REPO_ROOT
"""
import pathlib
import re
import sys

ALLOWED = {
    "base": set(),
    "labels": {"base"},
    "selector": {"base", "labels"},
    "parse": {"base", "labels"},
    "relabel": {"base", "labels"},
    "remote": {"base", "labels"},
    "wal": {"base", "labels"},
    "config": {"base", "labels", "relabel"},
    "httpclient": {"base", "config"},
    "discovery": {"base", "labels", "config", "httpclient"},
    "scrape": {"base", "labels", "parse", "relabel", "config", "wal", "httpclient"},
    "ship": {"base", "labels", "remote", "relabel", "config", "wal", "httpclient"},
    "replay": {"base", "labels", "selector", "remote", "relabel", "config", "wal", "httpclient",
               "ship", "http"},
    "http": {"base"},
    "agent": {"base", "labels", "selector", "parse", "relabel", "remote", "wal", "config",
              "httpclient", "discovery", "scrape", "ship", "replay", "http"},
    "cli": {"base", "labels", "selector", "parse", "relabel", "remote", "wal", "config",
            "httpclient", "discovery", "scrape", "ship", "replay", "http", "agent"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module_of(rel):
    parts = rel.parts
    if parts[0] == "wal":
        return "wal"
    if parts[0] == "src" and len(parts) > 2:
        return parts[1]
    return None


def main():
    root = pathlib.Path(sys.argv[1])
    errors = []
    checked = 0
    for path in sorted(list(root.glob("src/**/*")) + list(root.glob("wal/**/*"))):
        if path.suffix not in (".h", ".cc") or not path.is_file():
            continue
        rel = path.relative_to(root)
        mod = module_of(rel)
        if mod is None:
            continue
        if mod not in ALLOWED:
            errors.append(f"{rel}: module '{mod}' is missing from the allowed graph")
            continue
        for inc in INCLUDE.findall(path.read_text(errors="replace")):
            checked += 1
            target = module_of(pathlib.Path(inc))
            if target is None or target == mod:
                continue
            if inc.startswith("wal/internal/") and mod != "wal":
                errors.append(f"{rel}: includes {inc}: wal/internal is private to wal/")
            elif target not in ALLOWED[mod]:
                errors.append(f"{rel}: includes {inc}: '{mod}' may not depend on '{target}'")
    for e in errors:
        print(e)
    print(f"{checked} includes checked, {len(errors)} bad edges")
    return 1 if errors or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
