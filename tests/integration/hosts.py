"""Real app hosts for integration tests: gunicorn instances and a task worker, each a process
of its own with production settings, sharing one PostgreSQL database, one Redis database and
one S3 bucket, as two servers behind a load balancer would.

`Host` is one gunicorn (forumasia.wsgi with the shipped gunicorn.conf.py) on a free loopback
port; `Worker` is `manage.py db_worker`; `Browser` keeps one visitor's cookies across hosts
(the cookies are marked Secure in production and the hosts speak plain HTTP here, so they are
kept by hand rather than by a cookie jar that would withhold them).
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.forumasia.test_settings import PRODUCTION_KEY, SETTINGS_VARIABLES
from tests.s3 import free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(Path(sys.executable))
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def site_environment(**overrides):
    """Production settings (debug off) for a host, without the developer's own variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_VARIABLES)}
    return {
        **clean,
        "DJANGO_SECRET_KEY": PRODUCTION_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        **overrides,
    }


def manage(environment, *args, timeout=600):
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


class Process:
    def __init__(self, name, command, environment, log_dir):
        self.name = name
        self.command = command
        self.environment = environment
        self.log_path = Path(log_dir) / f"{name}.log"
        self.process = None

    def start(self):
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.environment,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Stop the process group gracefully (as systemd would), killing it after `timeout`."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._log.close()

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class Host(Process):
    def __init__(self, name, environment, log_dir):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {
            **environment,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "2",
        }
        super().__init__(name, [GUNICORN, "forumasia.wsgi"], environment, log_dir)

    def start(self):
        super().start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"{self.name} exited:\n{self.log()[-3000:]}")
            try:
                requests.get(self.url + "/robots.txt", timeout=10)
                return self
            except requests.RequestException:  # not listening yet, or still loading the app
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer:\n{self.log()[-3000:]}")


class Worker(Process):
    def __init__(self, name, environment, log_dir):
        command = [PYTHON, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.2"]
        command += ["--no-startup-delay", "--no-reload", "--verbosity", "2"]
        super().__init__(name, command, environment, log_dir)


class Browser:
    """One visitor or editor: cookies kept across requests and hosts."""

    def __init__(self):
        self.cookies = {}

    def request(self, method, url, **options):
        response = requests.request(
            method, url, cookies=self.cookies, allow_redirects=False, timeout=60, **options
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def get(self, url, **options):
        return self.request("GET", url, **options)

    def csrf_token(self, url):
        """The form token of the page at `url` (and its cookie, now kept)."""
        return CSRF_FIELD.search(self.get(url).text).group(1)

    def post_form(self, url, data, files=None, form_url=None):
        token = self.csrf_token(form_url or url)
        return self.request("POST", url, data={**data, "csrfmiddlewaretoken": token}, files=files)

    def log_in(self, host, username, password):
        response = self.post_form(
            host.url + "/admin/login/",
            {"username": username, "password": password, "next": "/admin/"},
        )
        assert response.status_code == 302, response.text[-2000:]
