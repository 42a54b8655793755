"""The pieces a scenario wires together: targets, receivers, agents, config."""
import json
import os
import time
import urllib.parse

from .procs import HarnessError, Proc, free_port, get_json, http, wait_until

PROMETHEUS = "/usr/bin/prometheus"

# The queue_config both agents get (spelled out so neither runs on its own
# defaults: Prometheus 2.42 defaults to 500 samples per send and 200 shards,
# ferry to 2000 and 50). max_backoff 1s so that both retry within a second
# of the receiver's return and the drain time measures draining, not back-off;
# batch_send_deadline 1s so that a phase's last partial batches arrive within
# the harness' 3 s quiet period.
QUEUE_CONFIG = {
    "capacity": 10000, "min_shards": 1, "max_shards": 50, "max_samples_per_send": 2000,
    "batch_send_deadline": "1s", "min_backoff": "30ms", "max_backoff": "1s",
}


class Targets:
    """compare_target: K targets x S series on one loopback port."""

    def __init__(self, tool, k, s, log):
        self.k, self.s = k, s
        self.proc = Proc("compare_target", [tool, "--targets", str(k), "--series", str(s)], log)
        self.port = self.proc.read_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def stats(self):
        return get_json(self.base + "/stats")

    def served(self):
        return self.stats()["samples_served"]

    def pause(self):
        if http("POST", self.base + "/pause", b"")[0] != 200:
            raise HarnessError("compare_target did not pause")

    def resume(self):
        if http("POST", self.base + "/resume", b"")[0] != 200:
            raise HarnessError("compare_target did not resume")

    def stop(self):
        self.proc.stop()


class Sink:
    """compare_sink: counts what it receives, answers 204."""

    def __init__(self, tool, log):
        self.proc = Proc("compare_sink", [tool], log)
        self.port = self.proc.read_port()
        self.url = f"http://127.0.0.1:{self.port}/api/v1/write"

    def stats(self):
        return get_json(f"http://127.0.0.1:{self.port}/stats")

    def stop(self):
        self.proc.stop()


class PromReceiver:
    """A real Prometheus 2.42 with --web.enable-remote-write-receiver.

    Keeps its port and TSDB across stop()/start(), so an outage is the
    process being down (connection refused) and what it accepted before
    stays queryable."""

    def __init__(self, workdir):
        self.dir = workdir
        os.makedirs(self.dir, exist_ok=True)
        with open(os.path.join(self.dir, "prometheus.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 1h\n")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = self.base + "/api/v1/write"
        self.proc = None
        self.starts = 0

    def start(self, timeout=120):
        self.starts += 1
        self.proc = Proc("receiver", [
            PROMETHEUS, "--config.file=" + os.path.join(self.dir, "prometheus.yml"),
            "--storage.tsdb.path=" + os.path.join(self.dir, "tsdb"),
            f"--web.listen-address=127.0.0.1:{self.port}", "--web.enable-remote-write-receiver",
            "--query.max-samples=1000000000", "--query.timeout=5m",
            "--storage.tsdb.retention.time=1d"],
            os.path.join(self.dir, f"receiver-{self.starts}.log"))
        # Polled often: a drain is timed from here (scenarios._drain).
        wait_until(lambda: self.ready(), timeout, period=0.05,
                   what="the Prometheus receiver to be ready")

    def ready(self):
        if not self.proc.alive():
            raise HarnessError(f"the Prometheus receiver exited (log: {self.proc.log_path})")
        return http("GET", self.base + "/-/ready", timeout=2)[0] == 200

    def stop(self):
        if self.proc:
            self.proc.stop(timeout=60)
            self.proc = None

    def metric(self, name):
        """Sum of every sample of `name` on the receiver's /metrics."""
        status, body = http("GET", self.base + "/metrics", timeout=10)
        if status != 200:
            raise HarnessError(f"receiver /metrics: status {status}")
        total = 0.0
        for line in body.decode().splitlines():
            if line.startswith(name) and line[len(name)] in " {":
                total += float(line.rsplit(" ", 1)[1])
        return total

    def appended(self):
        return self.metric("prometheus_tsdb_head_samples_appended_total")

    def count_samples(self, k, range_s):
        """Distinct samples stored for the generated series: the sum over
        targets of count_over_time (stale markers are not counted)."""
        total = 0
        now = time.time()
        for i in range(k):
            q = f'sum(count_over_time({{__name__=~"gen_.+",target="{i}"}}[{int(range_s)}s]))'
            body = urllib.parse.urlencode({"query": q, "time": f"{now:.3f}"}).encode()
            status, out = http("POST", self.base + "/api/v1/query", body, timeout=300,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
            if status != 200:
                raise HarnessError(f"receiver query {q}: status {status}: {out[:200]!r}")
            res = json.loads(out)["data"]["result"]
            total += int(float(res[0]["value"][1])) if res else 0
        return total


def write_config(path, targets, write_url, interval="1s"):
    """The one prometheus.yml both agents get: one job, K static targets on
    the same port told apart by __metrics_path__ and a `target` label."""
    lines = ["global:", f"  scrape_interval: {interval}", f"  scrape_timeout: {interval}",
             "scrape_configs:", "  - job_name: gen", "    static_configs:"]
    for i in range(targets.k):
        lines += [f"      - targets: ['127.0.0.1:{targets.port}']",
                  f"        labels: {{__metrics_path__: '/t/{i}/metrics', target: '{i}'}}"]
    lines += ["remote_write:", f"  - url: {write_url}", "    queue_config:"]
    lines += [f"      {k}: {v}" for k, v in QUEUE_CONFIG.items()]
    lines += ["    metadata_config:", "      send: false"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


class Agent:
    """ferry or `prometheus --enable-feature=agent`, same config and flags.

    extra_prometheus: flags only Prometheus gets (scenario 4 scales its WAL
    truncation window down; ferry's default, no age limit, needs no scaling).
    --storage.remote.flush-deadline stays at its default (1m) unless a
    scenario passes it: Prometheus also applies it when it reshards, and a
    short one makes it drop the batches in flight at every reshard."""

    def __init__(self, kind, binary, config, datadir, logdir, extra_common=(),
                 extra_prometheus=()):
        self.kind = kind
        self.binary = binary
        self.config = config
        self.datadir = datadir
        self.logdir = logdir
        self.extra_common = list(extra_common)
        self.extra_prometheus = list(extra_prometheus)
        self.proc = None
        self.starts = 0
        self.port = None

    def start(self, timeout=600):
        """Starts and waits for /-/ready; returns seconds from exec to ready."""
        self.starts += 1
        self.port = free_port()
        argv = [self.binary, "--enable-feature=agent", "--config.file=" + self.config,
                "--storage.agent.path=" + self.datadir,
                f"--web.listen-address=127.0.0.1:{self.port}"] + self.extra_common
        if self.kind == "prometheus":
            argv += self.extra_prometheus
        t0 = time.monotonic()
        self.proc = Proc(self.kind, argv,
                         os.path.join(self.logdir, f"{self.kind}-{self.starts}.log"))
        base = f"http://127.0.0.1:{self.port}"

        def ready():
            if not self.proc.alive():
                raise HarnessError(f"{self.kind} exited at start (log: {self.proc.log_path})")
            return http("GET", base + "/-/ready", timeout=2)[0] == 200
        wait_until(ready, timeout, period=0.05, what=f"{self.kind} to be ready")
        return time.monotonic() - t0

    def stop(self):
        if self.proc:
            self.proc.stop(timeout=60)

    def kill9(self):
        self.proc.kill9()
