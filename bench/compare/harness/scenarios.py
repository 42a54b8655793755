"""The five scenarios of issue 7. Each runs one agent and returns its figures.

Counting rules (docs/performance.md, "Side by side"):
- scraped = samples of the generated series that compare_target served
  (scrapes answered x S); report series (up, scrape_*) are not counted.
- delivered = distinct (series, timestamp) samples of the generated series
  the receiver holds: compare_sink counts them (scenario 1), the real
  Prometheus receiver is asked with count_over_time (scenarios 2-4).
  Stale markers are not samples here.
- A phase ends by pausing the targets (503, not counted as served) and
  waiting until the receiver stops receiving, so the two counts are exact.
"""
import os
import shutil
import time

from .parts import Agent, PromReceiver, Sink, Targets, write_config
from .procs import HarnessError, Sampler, du_bytes, free_port, wait_until


def note(msg):
    """A progress line (the run script prints a timestamped one per agent run)."""
    print(f"           {msg}", flush=True)


def settle(value_fn, quiet, timeout, what, tol=0):
    """Waits until value_fn() has grown by at most `tol` for `quiet` seconds.
    (After the targets pause, the agents still send their report series,
    up and scrape_*, each scrape: the receiver's appended-samples counter
    settles to that trickle, which `tol` allows for.)"""
    hist = [(time.monotonic(), value_fn())]
    deadline = hist[0][0] + timeout
    while time.monotonic() < deadline:
        time.sleep(0.25)
        t, v = time.monotonic(), value_fn()
        hist.append((t, v))
        old = [h for h in hist if h[0] <= t - quiet]
        if old and v - old[-1][1] <= tol:
            return v
    raise HarnessError(f"{what} still growing after {timeout:.0f}s")


def wait_scraping(tg, timeout=60):
    """Waits until every target has been scraped since the call. Phases are
    timed from there: Prometheus starts scraping about 5 s after start (its
    discovery manager sends target updates at most every 5 s), ferry at once."""
    before = tg.stats()["scrapes"]
    wait_until(lambda: all(a > b for a, b in zip(tg.stats()["scrapes"], before)), timeout,
               period=0.1, what="every target to be scraped")


class Ctx:
    """Paths and parameters shared by the scenarios of one run."""

    def __init__(self, out, tools, binaries, params):
        self.out = out
        self.tools = tools          # {"target": path, "sink": path}
        self.binaries = binaries    # {"ferry": path, "prometheus": path}
        self.p = params

    def workdir(self, name):
        """A fresh directory for one agent run (a previous run's is removed)."""
        d = os.path.join(self.out, "work", name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        return d

    def agent(self, kind, d, **kw):
        return Agent(kind, self.binaries[kind], os.path.join(d, "prometheus.yml"),
                     os.path.join(d, "data"), d, **kw)


def steady(ctx, kind, k, s):
    """Scenario 1: steady scrape into compare_sink."""
    p = ctx.p
    d = ctx.workdir(f"steady-{k}x{s}-{kind}")
    tg = Targets(ctx.tools["target"], k, s, os.path.join(d, "target.log"))
    sink = Sink(ctx.tools["sink"], os.path.join(d, "sink.log"))
    write_config(os.path.join(d, "prometheus.yml"), tg, sink.url)
    agent = ctx.agent(kind, d)
    ready_s = agent.start()
    sampler = Sampler(agent.proc)
    try:
        wait_scraping(tg)
        time.sleep(p["warmup"])
        t0, c0, s0, u0 = time.monotonic(), agent.proc.stat(), tg.served(), sink.stats()["gen_unique"]
        time.sleep(p["measure"])
        t1, c1, s1, u1 = time.monotonic(), agent.proc.stat(), tg.served(), sink.stats()["gen_unique"]
        wal = du_bytes(agent.datadir)
        tg.pause()
        final = settle(lambda: sink.stats()["gen_unique"], 3, p["settle_max"], "delivery to the sink")
        st, served = sink.stats(), tg.served()
    finally:
        sampler.stop()
        agent.stop()
        sink.stop()
        tg.stop()
    if c0 is None or c1 is None:
        raise HarnessError(f"{kind} died during the measurement")
    scraped_w, cpu = s1 - s0, c1[0] - c0[0]
    steady_rss = sampler.median_rss(t0, t1)
    return {
        "active_series": k * s, "ready_s": ready_s, "window_s": t1 - t0,
        "scraped_in_window": scraped_w, "shipped_in_window": u1 - u0,
        "cpu_s": cpu, "cpu_s_per_M": cpu / (scraped_w / 1e6) if scraped_w else None,
        "peak_rss": max(c1[2], sampler.peak_hwm()), "steady_rss": steady_rss,
        "rss_per_series": steady_rss / (k * s),
        "wal_bytes": wal, "wal_bytes_per_sample": wal / s1 if s1 else None,
        "scraped": served, "delivered": final, "repeated": st["gen_repeated"],
        "lost": served - final,
    }


def _drain(rx, tg, backlog, p):
    """From the receiver's return, polls its appended-samples counter and the
    targets' served count every 0.25 s. The backlog is drained when the
    receiver has received as many samples since its return as were scraped
    during the outage plus since the return (its count also holds the report
    series, about 0.1 % at 5000 series per target, so this errs early by
    that much). An agent that lost part of its backlog never gets there: we
    stop once the receiver's rate over 4 s has stayed within 25 % of the live
    scrape rate (batching makes it jitter) for 4 s: caught up, with a loss
    the final count shows.
    Returns (drained, seconds, samples received, peak 4 s rate); seconds is
    the time to drain, or to the end of the last above-live-rate window when
    the backlog did not fully arrive."""
    # The receiver is a new process: its appended counter starts at 0 (the
    # replay of its own WAL does not count) and holds only what agents sent
    # since it became ready. Reading the counter here instead would miss
    # what a fast agent delivered between readiness and this line.
    t_back, a_back, s_back = time.monotonic(), 0, tg.served()
    pts = [(t_back, a_back, s_back)]
    last_high, peak, steady_since = t_back, 0.0, None
    deadline = t_back + p["drain_max"]
    while time.monotonic() < deadline:
        time.sleep(0.25)
        t, a, sv = time.monotonic(), rx.appended(), tg.served()
        pts.append((t, a, sv))
        if a - a_back >= backlog + (sv - s_back):
            return True, t - t_back, a - a_back, peak
        old = next(q for q in pts if q[0] >= t - 4.0)
        if t - old[0] < 2.0:
            continue
        rate = (a - old[1]) / (t - old[0])
        live = (sv - old[2]) / (t - old[0])
        peak = max(peak, rate)
        if rate > 1.25 * live:
            last_high, steady_since = t, None
        elif rate >= 0.75 * live:
            steady_since = steady_since or t
            if t - steady_since >= 4:
                break
        else:
            steady_since = None  # falling behind: still draining, slowly
    return False, last_high - t_back, pts[-1][1] - a_back, peak


def _machine_cpu():
    """(busy, total) jiffies of all CPUs from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)  # idle + iowait
    return sum(v) - idle, sum(v)


def _cpu_now(rx, agent):
    rs, ag = rx.proc.stat(), agent.proc.stat()
    return (time.monotonic(), rs[0] if rs else None, ag[0] if ag else None, _machine_cpu())


def _cpu_while(a, b):
    """Where the CPU went between two _cpu_now() points (the drain): cores
    used by the receiver and the agent, and how busy the machine was (1.0 =
    every core), to tell an agent-bound drain from a machine-bound one."""
    secs = b[0] - a[0]
    out = {}
    if secs > 0 and a[1] is not None and b[1] is not None:
        out["drain_receiver_cores"] = (b[1] - a[1]) / secs
    if secs > 0 and a[2] is not None and b[2] is not None:
        out["drain_agent_cores"] = (b[2] - a[2]) / secs
    busy, total = b[3][0] - a[3][0], b[3][1] - a[3][1]
    if total > 0:
        out["drain_machine_busy"] = busy / total
    return out


def outage(ctx, kind, k, s, mode):
    """Scenarios 2-4 against a real Prometheus receiver.
    mode: "outage" (2), "crash" (3: SIGKILL + restart mid-outage),
    "long" (4: outage beyond Prometheus' scaled WAL truncation window)."""
    p = ctx.p
    d = ctx.workdir(f"{mode}-{k}x{s}-{kind}")
    rx = PromReceiver(os.path.join(d, "receiver"))
    extra_common, extra_prom = (), ()
    out_s = p["outage_s"]
    if mode == "long":
        out_s = p["long_outage"]
        extra_common = ["--storage.agent.wal-truncate-frequency=" + p["truncate_every"],
                        "--storage.agent.retention.min-time=1s",
                        "--storage.agent.wal-segment-size=10MB"]
        extra_prom = ["--storage.agent.retention.max-time=" + p["max_wal_time"]]
    tg = agent = None
    fig = {"active_series": k * s, "outage_s": out_s}
    try:
        rx.start()
        tg = Targets(ctx.tools["target"], k, s, os.path.join(d, "target.log"))
        write_config(os.path.join(d, "prometheus.yml"), tg, rx.url)
        agent = ctx.agent(kind, d, extra_common=extra_common, extra_prometheus=extra_prom)
        t_start = time.monotonic()
        fig["ready_s"] = agent.start()
        wait_scraping(tg)
        time.sleep(p["warmup"])
        rx.stop()
        b0 = tg.served()
        if mode == "crash":
            time.sleep(out_s / 2)
            # Pause the targets so no scrape is in flight at the kill, so
            # "scraped" counts only samples the agent answered for.
            tg.pause()
            time.sleep(1.5)
            agent.kill9()
            tg.resume()
            fig["restart_ready_s"] = agent.start()
            wait_scraping(tg)
            time.sleep(out_s / 2)
        else:
            time.sleep(out_s)
        fig["backlog"] = tg.served() - b0
        fig["wal_bytes_at_return"] = du_bytes(agent.datadir)
        rx.start()
        cpu0 = _cpu_now(rx, agent)
        done, drain_s, received, peak = _drain(rx, tg, fig["backlog"], p)
        fig.update(drained=done, drain_s=drain_s if done else None,
                   drain_rate=received / drain_s if done and drain_s > 0 else None,
                   peak_receive_rate=peak)
        if done:
            fig.update(_cpu_while(cpu0, _cpu_now(rx, agent)))
        note(f"backlog {fig['backlog']:,} samples, " +
             (f"drained in {drain_s:.1f}s" if done else
              f"not drained (caught up or gave up after {drain_s:.1f}s)"))
        tg.pause()
        # 12 report samples per target and second is above what either agent sends.
        settle(rx.appended, 3, p["settle_max"], "the receiver's appended samples",
               tol=12 * k * 3)
        fig["scraped"] = tg.served()
        note(f"settled; counting {k} targets on the receiver")
        fig["delivered"] = rx.count_samples(k, time.monotonic() - t_start + 60)
        fig["lost"] = fig["scraped"] - fig["delivered"]
        fig["receiver_rejected"] = int(
            rx.metric("prometheus_tsdb_out_of_order_samples_total") +
            rx.metric("prometheus_tsdb_out_of_bound_samples_total"))
    finally:
        for part in (agent, tg, rx):
            if part:
                part.stop()
    return fig


def startup(ctx, kind, k, s, backlog):
    """Scenario 5: restart with a backlog of `backlog` samples on disk (the
    remote_write URL is a closed loopback port, so nothing ships)."""
    p = ctx.p
    d = ctx.workdir(f"startup-{k}x{s}-{kind}")
    tg = Targets(ctx.tools["target"], k, s, os.path.join(d, "target.log"))
    write_config(os.path.join(d, "prometheus.yml"), tg,
                 f"http://127.0.0.1:{free_port()}/api/v1/write")
    # Nothing can be shipped here, so a short flush deadline only shortens
    # the SIGTERM that ends the backlog phase.
    agent = ctx.agent(kind, d, extra_common=["--storage.remote.flush-deadline=1s"])
    fig = {"active_series": k * s}
    try:
        agent.start()
        wait_until(lambda: tg.served() >= backlog, p["backlog_max"],
                   period=0.5, what=f"{backlog} samples of backlog")
        tg.pause()
        time.sleep(1.5)
        agent.stop()
        fig["backlog"] = tg.served()
        fig["wal_bytes"] = du_bytes(agent.datadir)
        tg.resume()
        fig["ready_s"] = agent.start()
        st = agent.proc.stat()
        fig["rss_at_ready"] = st[1] if st else None
        time.sleep(p["after_start"])
        st = agent.proc.stat()
        if st is None:
            raise HarnessError(f"{kind} died after start with a backlog")
        fig["rss_after_start"], fig["peak_rss"] = st[1], st[2]
    finally:
        agent.stop()
        tg.stop()
    return fig
