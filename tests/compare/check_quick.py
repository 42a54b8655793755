#!/usr/bin/env python3
"""Runs `bench/compare/run --quick` and checks that both agents ran in every
scenario and that the ratio table was printed. Asserts nothing about speed.

  check_quick.py RUN FERRY TOOLS_DIR OUT_DIR
"""
import json
import os
import subprocess
import sys

SCENARIOS = ("steady", "outage", "crash", "long", "startup")
AGENTS = ("ferry", "prometheus")


def main():
    run, ferry, tools, out = sys.argv[1:5]
    proc = subprocess.Popen([sys.executable, run, "--quick", "--out", out, "--ferry", ferry,
                             "--tools", tools], stdout=subprocess.PIPE, text=True)
    try:
        stdout, _ = proc.communicate(timeout=390)  # below ctest's TIMEOUT 420
    except subprocess.TimeoutExpired:
        proc.terminate()  # SIGTERM: the harness kills its child processes and exits
        stdout, _ = proc.communicate(timeout=25)
    sys.stdout.write(stdout)
    problems = []
    if proc.returncode != 0:
        problems.append(f"bench/compare/run exited with {proc.returncode}")
    if "| scenario | figure | ferry | Prometheus agent | ferry / Prometheus |" not in stdout:
        problems.append("the ratio table was not printed")
    try:
        with open(os.path.join(out, "results.json")) as f:
            results = json.load(f)["results"]
    except (OSError, ValueError, KeyError) as e:
        results = {}
        problems.append(f"results.json unreadable: {e}")
    for scenario in SCENARIOS:
        runs = {k: v for k, v in results.items() if k.split("-")[0] == scenario}
        if not runs:
            problems.append(f"scenario {scenario} missing from results.json")
        for name, per in runs.items():
            for agent in AGENTS:
                fig = per.get(agent)
                if fig is None:
                    problems.append(f"{name}: {agent} did not run")
                elif "error" in fig:
                    problems.append(f"{name}: {agent} failed: {fig['error']}")
    if not os.path.exists(os.path.join(out, "results.md")):
        problems.append("results.md missing")
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
