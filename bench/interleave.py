#!/usr/bin/env python3
"""Compares two builds of one Google Benchmark binary on a noisy machine.

Runs BASE and NEW alternately, REPS times each (so both see the same load),
and prints per benchmark the median of `samples/s` (or items_per_second) of
each, their ratio, and NEW's spread. Used for the warm scrape path figures
(docs/perf-notes/scrape.md):

  bench/interleave.py --base build-base/bench/scrape_bench \\
      --new build-bench/bench/scrape_bench --filter BM_Warm --reps 7
"""
import argparse
import json
import os
import statistics
import subprocess
import sys


def rate(bm):
    for key in ("samples/s", "items_per_second"):
        if key in bm:
            return bm[key] / 1e6
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--base", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--filter", default=".")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--min-time", default="0.5")
    args = ap.parse_args()
    env = dict(os.environ)
    env.setdefault("FERRY_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    res = {}
    for _ in range(args.reps):
        for name, binary in (("base", args.base), ("new", args.new)):
            out = subprocess.run([binary, "--benchmark_filter=" + args.filter,
                                  "--benchmark_min_time=" + args.min_time,
                                  "--benchmark_format=json"],
                                 capture_output=True, text=True, env=env, check=True).stdout
            for bm in json.loads(out)["benchmarks"]:
                r = rate(bm)
                if r is not None:
                    res.setdefault(bm["name"], {}).setdefault(name, []).append(r)
    for n, d in res.items():
        if "base" not in d or "new" not in d:
            continue
        mb, mn = statistics.median(d["base"]), statistics.median(d["new"])
        print(f"{n:40s} base {mb:7.2f} M/s  new {mn:7.2f} M/s  ratio {mn / mb:5.2f}x  "
              f"(new min {min(d['new']):.2f} max {max(d['new']):.2f}; n={len(d['new'])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
