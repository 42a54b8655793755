#!/usr/bin/env python3
"""Every prometheus.yml embedded in deploy/ must pass `ferry check config`.

Extracts the block scalars named prometheus.yml / prometheus.yml.tmpl from the
ConfigMaps (template placeholders such as SHARD become 0) and runs the ferry
binary on each. Usage: deploy_configs_test.py REPO_ROOT FERRY_BINARY
"""
import pathlib
import re
import subprocess
import sys
import tempfile

KEY = re.compile(r"^(\s*)(prometheus\.yml(?:\.tmpl)?): \|\s*$")


def embedded_configs(text):
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = KEY.match(lines[i])
        if not m:
            i += 1
            continue
        indent = len(m.group(1)) + 2
        body = []
        i += 1
        while i < len(lines) and (not lines[i].strip() or
                                  len(lines[i]) - len(lines[i].lstrip()) >= indent):
            body.append(lines[i][indent:])
            i += 1
        yield m.group(2), "\n".join(body).replace("SHARD", "0") + "\n"


def main():
    root, ferry = pathlib.Path(sys.argv[1]), sys.argv[2]
    failures, checked = 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for manifest in sorted(root.glob("deploy/**/*.yaml")):
            for n, (name, cfg) in enumerate(embedded_configs(manifest.read_text())):
                path = pathlib.Path(tmp) / f"{manifest.stem}-{n}.yml"
                path.write_text(cfg)
                r = subprocess.run([ferry, "check", "config", str(path)],
                                   capture_output=True, text=True, timeout=60)
                checked += 1
                status = "ok" if r.returncode == 0 else "FAILED"
                print(f"{manifest.relative_to(root)} {name}: {status}")
                if r.returncode != 0:
                    failures += 1
                    print(r.stderr)
    print(f"{checked} embedded configs checked, {failures} failed")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
