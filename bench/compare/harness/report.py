"""Turns per-scenario figures into the ratio table (Markdown) and JSON rows."""

MB = 1024 * 1024


def _ratio(f, p):
    if f is None or p is None or p == 0:
        return None
    return f / p


def _fmt(v, unit):
    if v is None:
        return "n/a"
    if unit == "MB":
        return f"{v / MB:.1f} MiB"
    if unit == "s":
        return f"{v:.2f} s"
    if unit == "int":
        return f"{int(v):,}"
    if unit == "rate":
        return f"{v:,.0f}/s"
    if unit == "pct":
        return f"{100 * v:.2f} %"
    return f"{v:.3g}" if isinstance(v, float) else str(v)


# (scenario prefix, figure key, label, unit, target) where target is
# ("<=", x) / (">=", x) on the ratio, ("ferry==", 0) on ferry's value, or None.
ROWS = [
    ("steady", "cpu_s_per_M", "CPU s per 1 M samples (scrape + WAL + ship)", "num", ("<=", 0.25)),
    ("steady", "peak_rss", "peak RSS (VmHWM)", "MB", None),
    ("steady", "steady_rss", "steady RSS (median after warm-up)", "MB", None),
    ("steady", "rss_per_series", "RSS bytes per active series", "num", ("<=", 0.25)),
    ("steady", "wal_bytes_per_sample", "WAL disk bytes per sample", "num", None),
    ("steady", "delivered_frac", "delivered / scraped", "pct", None),
    ("outage", "backlog", "backlog at the receiver's return (samples)", "int", None),
    ("outage", "drain_s", "drain time (backlog + live all received)", "s", None),
    ("outage", "backlog_drain_rate", "drain rate: backlog / drain time", "rate", (">=", 3.0)),
    ("outage", "drain_rate", "receive rate while draining (backlog + live)", "rate", None),
    ("outage", "drain_receiver_cores", "receiver CPU while draining (cores)", "num", None),
    ("outage", "drain_agent_cores", "agent CPU while draining (cores)", "num", None),
    ("outage", "drain_machine_busy", "machine busy while draining (all cores)", "pct", None),
    ("outage", "delivered_frac", "delivered / scraped", "pct", None),
    ("crash", "lost", "samples lost (scraped - delivered)", "int", ("ferry==", 0)),
    ("crash", "drain_s", "drain time after the restart", "s", None),
    ("crash", "delivered_frac", "delivered / scraped", "pct", None),
    ("long", "lost", "samples lost (scraped - delivered)", "int", ("ferry==", 0)),
    ("long", "delivered_frac", "delivered / scraped", "pct", None),
    ("startup", "backlog", "backlog on disk (samples)", "int", None),
    ("startup", "ready_s", "time from start to /-/ready", "s", None),
    ("startup", "rss_after_start", "RSS after start", "MB", None),
]


def verdict(target, f, p, ratio):
    if target is None:
        return ""
    op, x = target
    if op == "ferry==":
        return "met" if f == x else "missed"
    if ratio is None:
        return "n/a"
    ok = ratio <= x if op == "<=" else ratio >= x
    return "met" if ok else "missed"


def build(results):
    """results: {scenario_name: {"ferry": figs|{"error":..}, "prometheus": ...}}.
    Returns (rows as dicts, Markdown table)."""
    rows = []
    for name, per in results.items():
        for fig in per.values():
            if "scraped" in fig and fig.get("scraped"):
                fig["delivered_frac"] = fig["delivered"] / fig["scraped"]
            if fig.get("drained") and fig.get("drain_s"):
                fig["backlog_drain_rate"] = fig["backlog"] / fig["drain_s"]
        prefix = name.split("-")[0]
        for pre, key, label, unit, target in ROWS:
            if pre != prefix:
                continue
            f = per.get("ferry", {}).get(key)
            p = per.get("prometheus", {}).get(key)
            ratio = _ratio(f, p)
            rows.append({"scenario": name, "figure": key, "label": label, "ferry": f,
                         "prometheus": p, "ratio": ratio,
                         "target": f"{target[0]} {target[1]}" if target else None,
                         "verdict": verdict(target, f, p, ratio), "unit": unit})
    md = ["| scenario | figure | ferry | Prometheus agent | ferry / Prometheus | target | |",
          "|---|---|---:|---:|---:|---|---|"]
    for r in rows:
        tgt = ""
        if r["target"]:
            op, x = r["target"].split(" ")
            tgt = "ferry = 0" if op == "ferry==" else f"{op} {x}"
        ratio = "n/a" if r["ratio"] is None else f"{r['ratio']:.2f}"
        md.append(f"| {r['scenario']} | {r['label']} | {_fmt(r['ferry'], r['unit'])} | "
                  f"{_fmt(r['prometheus'], r['unit'])} | {ratio} | {tgt} | {r['verdict']} |")
    errors = [(n, a, f["error"]) for n, per in results.items() for a, f in per.items()
              if "error" in f]
    for n, a, e in errors:
        md.append(f"\n**{n} / {a} failed:** {e}")
    return rows, "\n".join(md) + "\n"
