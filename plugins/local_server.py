"""Start one of the project's servers on 127.0.0.1 for a test or a benchmark, wait until it answers, always stop it.

The app, the API and the MLflow UI are each started as a child process by the tests, the browser screenshots and
`make bench`; each caller used to pick its own free port, poll the server until it answered, and stop it in its own
way (some never killed a server that ignored SIGTERM, some read a pipe nobody drained). `serve` does it once: a
port the OS picks on 127.0.0.1, the command told `--host 127.0.0.1 --port N` (all three take them), its output kept
for the error when it exits or stays silent, and its whole process group (MLflow's workers too) terminated on
leaving, killed after a timeout. `free_port` alone serves a torch rendezvous.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

HOST = "127.0.0.1"  # this machine only: nothing started here is reachable from another one


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(command: list[str], *, path: str = "/", name: str = "the server", cwd: Path | None = None,
          env: dict | None = None, timeout: float = 120, stop_timeout: float = 30) -> Iterator[str]:
    """Run `command --host 127.0.0.1 --port <free port>` in its own process group and yield its base URL
    (http://127.0.0.1:PORT) once `path` answers. RuntimeError, ending with the server's last output, when it exits
    first or does not answer within `timeout` s. On leaving: SIGTERM to the group, SIGKILL after `stop_timeout` s."""
    port = free_port()
    url = f"http://{HOST}:{port}"
    log = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen([*command, "--host", HOST, "--port", str(port)], cwd=cwd, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)

    def last_output() -> str:
        log.seek(0)
        return log.read()[-3000:]

    try:
        deadline = time.time() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with code {proc.returncode}:\n{last_output()}")
            try:
                urllib.request.urlopen(url + path, timeout=2)
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError(f"{name} did not answer on {url + path} within {timeout:.0f} s:\n"
                                       f"{last_output()}") from None
                time.sleep(0.5)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(stop_timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
