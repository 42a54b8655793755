"""Child processes, /proc sampling, loopback HTTP helpers.

Every child runs in its own process group and is registered in ALL; kill_all()
(called from the run script's finally block and its SIGINT/SIGTERM handlers)
SIGKILLs every group still alive, so nothing outlives the harness.
"""
import json
import os
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
ALL = []


class HarnessError(Exception):
    """A step of a scenario failed (a process died, never got ready, ...)."""


def free_port():
    """A free loopback port (bound to 0 and read back, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, data=None, timeout=10.0, headers=None):
    """(status, body bytes); status 0 when the connection failed."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (OSError, urllib.error.URLError):
        return 0, b""


def get_json(url, timeout=10.0):
    status, body = http("GET", url, timeout=timeout)
    if status != 200:
        raise HarnessError(f"GET {url}: status {status}")
    return json.loads(body)


class Proc:
    """One child process in its own process group, output to log_path."""

    def __init__(self, name, argv, log_path, cwd=None):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.popen = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self._log,
                                      cwd=cwd, start_new_session=True)
        self.started = time.monotonic()
        ALL.append(self)

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def read_port(self, timeout=20.0):
        """Reads the 'port=<P>' line our C++ tools print once they listen."""
        deadline = time.monotonic() + timeout
        line = b""
        while time.monotonic() < deadline:
            line = self.popen.stdout.readline()
            if line.startswith(b"port="):
                threading.Thread(target=self._drain_stdout, daemon=True).start()
                return int(line[5:])
            if not line and not self.alive():
                break
        raise HarnessError(f"{self.name} did not report its port (log: {self.log_path})")

    def _drain_stdout(self):
        for chunk in iter(lambda: self.popen.stdout.read(65536), b""):
            self._log.write(chunk)

    def stat(self):
        """(cpu seconds utime+stime, VmRSS bytes, VmHWM bytes) or None once gone."""
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK
            rss = hwm = 0
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1]) * 1024
                    elif line.startswith("VmHWM:"):
                        hwm = int(line.split()[1]) * 1024
            return cpu, rss, hwm
        except (OSError, IndexError, ValueError):
            return None

    def send(self, sig):
        if self.alive():
            try:
                os.killpg(self.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, timeout=30.0, sig=signal.SIGTERM):
        """Signals the group, waits up to timeout, then SIGKILLs. Returns the exit code."""
        self.send(sig)
        try:
            rc = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.send(signal.SIGKILL)
            rc = self.popen.wait(timeout=30)
        self.send(signal.SIGKILL)  # stragglers of the group
        if self in ALL:
            ALL.remove(self)
        self._log.flush()
        return rc

    def kill9(self):
        return self.stop(timeout=30, sig=signal.SIGKILL)


def kill_all():
    for p in list(ALL):
        try:
            p.send(signal.SIGKILL)
            p.popen.wait(timeout=10)
        except Exception:  # best effort on the way out
            pass
    ALL.clear()


class Sampler:
    """Samples a process' CPU and RSS every `period` seconds on a thread."""

    def __init__(self, proc, period=0.5):
        self.proc = proc
        self.period = period
        self.samples = []  # (monotonic, cpu, rss, hwm)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            s = self.proc.stat()
            if s:
                self.samples.append((time.monotonic(), *s))
            self._stop.wait(self.period)

    def stop(self):
        self._stop.set()
        self._thread.join()

    def median_rss(self, t0, t1):
        rss = [s[2] for s in self.samples if t0 <= s[0] <= t1]
        return int(statistics.median(rss)) if rss else 0

    def peak_hwm(self):
        return max((s[3] for s in self.samples), default=0)


def du_bytes(path):
    """Bytes of the files under path (du -s -b, apparent size). Apparent,
    not allocated: RocksDB preallocates its log with FALLOC_FL_KEEP_SIZE,
    so allocated blocks would count tens of MB it has not written."""
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def wait_until(pred, timeout, period=0.2, what="condition"):
    """Polls pred() until true; raises HarnessError after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(period)
    raise HarnessError(f"timed out after {timeout:.0f}s waiting for {what}")
