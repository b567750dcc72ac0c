"""gunicorn, Redis, wrk and plain HTTP, all on 127.0.0.1 and all bounded in time."""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"

_running = []  # every Gunicorn started and not yet stopped, for the cleanup on exit


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Gunicorn:
    """One gunicorn arbiter on 127.0.0.1:<free port>; a context manager that always stops it."""

    def __init__(
        self,
        env: dict,
        *,
        app="forumasia.wsgi:application",
        workers=4,
        worker_class="sync",
        threads=1,
        timeout=30,
        log_path=None,
    ):
        self.env = env
        self.app = app
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.timeout = timeout
        self.log_path = log_path or "/tmp/forumasia-bench-gunicorn.log"
        self.port = None
        self.process = None

    @property
    def url(self):
        return f"http://{HOST}:{self.port}"

    def describe(self):
        threads = f" × {self.threads} threads" if self.worker_class == "gthread" else ""
        workers = f"{self.workers} {self.worker_class} workers{threads}"
        return f"gunicorn {workers}, --timeout {self.timeout}"

    def start(self):
        self.port = free_port()
        command = [
            str(VENV_BIN / "gunicorn"),
            self.app,
            "--bind", f"{HOST}:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", self.worker_class,
            "--threads", str(self.threads),
            "--timeout", str(self.timeout),
            "--error-logfile", self.log_path,
            "--log-level", "warning",
        ]  # fmt: skip
        self._log = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _running.append(self)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start; see {self.log_path}")
            try:
                if get(self.url + "/robots.txt", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if self in _running:
            _running.remove(self)
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def stop_all():
    for server in list(_running):
        server.stop()


def proc_status_kb(pid: int, field: str) -> int:
    """VmRSS/VmHWM of a process in KiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# --- HTTP ---------------------------------------------------------------------------------------


def _connection(url, timeout):
    parts = urlsplit(url)
    if parts.hostname != HOST:
        raise ValueError(f"the harness only talks to {HOST}, not {parts.hostname}")
    return http.client.HTTPConnection(HOST, parts.port, timeout=timeout), parts


def get(url, headers=None, timeout=60):
    """(status, headers dict, body bytes) of one GET."""
    conn, parts = _connection(url, timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", path or "/", headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def stream_to_null(url, headers=None, timeout=900, max_seconds=900, method="GET", body=None):
    """Request url (a GET, or `method` with `body`) reading the answer in chunks; (status,
    bytes, lines, seconds). Bounded in time."""
    conn, parts = _connection(url, timeout)
    start = time.perf_counter()
    size = lines = 0
    try:
        conn.request(
            method,
            parts.path + (f"?{parts.query}" if parts.query else ""),
            body=body,
            headers=headers or {},
        )
        response = conn.getresponse()
        while True:
            chunk = response.read(1 << 16)
            if not chunk:
                break
            size += len(chunk)
            lines += chunk.count(b"\n")
            if time.perf_counter() - start > max_seconds:
                raise TimeoutError(f"stream exceeded {max_seconds} s")
        return response.status, size, lines, time.perf_counter() - start
    finally:
        conn.close()


# --- Redis --------------------------------------------------------------------------------------


def ensure_redis() -> bool:
    """True when Redis answers on 127.0.0.1:6379 (started here if it was not running)."""
    if not shutil.which("redis-server"):
        return False
    if _redis_ping():
        return True
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
         "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
         "--logfile", "/var/log/redis/ci.log"],
        check=False, timeout=20,
    )  # fmt: skip
    for _ in range(30):
        if _redis_ping():
            return True
        time.sleep(0.3)
    return False


def _redis_ping():
    try:
        result = subprocess.run(
            ["redis-cli", "-h", HOST, "-p", "6379", "ping"],
            capture_output=True, text=True, timeout=5, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.stdout.strip() == "PONG"


def redis_flushdb(db: int):
    subprocess.run(
        ["redis-cli", "-h", HOST, "-p", "6379", "-n", str(db), "flushdb"],
        capture_output=True, timeout=10, check=False,
    )  # fmt: skip


# --- wrk ----------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> dict:
    result = {"p50": None, "p99": None, "rps": None, "requests": 0, "errors": 0}
    for line in output.splitlines():
        line = line.strip()
        if match := re.match(r"^(50|99)(?:\.0+)?%\s+(\S+)$", line):
            result["p50" if match.group(1) == "50" else "p99"] = _ms(match.group(2))
        elif line.startswith("Requests/sec:"):
            result["rps"] = float(line.split()[1])
        elif match := re.match(r"^(\d+) requests in", line):
            result["requests"] = int(match.group(1))
        elif line.startswith("Non-2xx or 3xx responses:"):
            result["errors"] += int(line.split(":")[1])
        elif line.startswith("Socket errors:"):
            result["errors"] += sum(int(n) for n in re.findall(r"\d+", line))
    return result


def wrk(url, *, seconds, connections, threads, headers=None) -> dict:
    if urlsplit(url).hostname != HOST:
        raise ValueError("wrk only against 127.0.0.1")
    command = [
        "wrk", "--latency", "--timeout", "10s",
        "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s",
    ]  # fmt: skip
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    command.append(url)
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed: {result.stderr.strip()}")
    return parse_wrk(result.stdout)
