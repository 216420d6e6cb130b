"""Run the BeatMap Streamlit app in a subprocess for browser tests.

>>> with run_app({"BEATMAP_TILES": "none"}) as app:  # doctest: +SKIP
...     page.goto(app.url + "/area")

The app listens on a free port of 127.0.0.1 only. Start-up is awaited by polling Streamlit's
``/_stcore/health`` until it answers ``ok`` (no fixed sleep); if the process dies first, or the
time runs out, :class:`AppStartError` carries the end of its log. On leaving, the process gets
SIGTERM, then SIGKILL if it has not stopped within a few seconds.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
#: opener that never uses an HTTP proxy from the environment
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class AppStartError(RuntimeError):
    """The app did not become healthy."""


@dataclass
class RunningApp:
    """A running app.

    Attributes
    ----------
    url : str
        Base URL, e.g. ``http://127.0.0.1:53211``.
    port : int
        The port.
    process : subprocess.Popen
        The ``streamlit run`` process.
    log_path : pathlib.Path
        File holding the process's stdout and stderr.
    """

    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self, tail: int = 80) -> str:
        """The last ``tail`` lines of the app's log."""
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-tail:])


def free_port() -> int:
    """A TCP port of 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with _OPENER.open(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200 and resp.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def run_app(
    env: Mapping[str, str] | None = None,
    *,
    script: str | Path = "streamlit_app.py",
    cwd: str | Path = ROOT,
    timeout: float = 90.0,
    log_dir: str | Path | None = None,
) -> Iterator[RunningApp]:
    """Start ``streamlit run <script>`` on a free 127.0.0.1 port; stop it on exit.

    Parameters
    ----------
    env : mapping, optional
        Extra environment variables (e.g. ``BEATMAP_DATA_DIR``, ``BEATMAP_OSM_FILE``).
    script : str or path
        The app's main script, relative to ``cwd``.
    cwd : str or path
        Folder to start in (its ``.streamlit/config.toml`` and ``static/`` are used).
    timeout : float
        Seconds to wait for ``/_stcore/health``.
    log_dir : str or path, optional
        Where to write ``streamlit.log``; a temporary folder by default.

    Yields
    ------
    RunningApp
    """
    port = free_port()
    url = f"http://{HOST}:{port}"
    log_folder = (
        Path(log_dir) if log_dir is not None else Path(tempfile.mkdtemp(prefix="beatmap-app-"))
    )
    log_folder.mkdir(parents=True, exist_ok=True)
    log_path = log_folder / "streamlit.log"
    full_env = {**os.environ, **(env or {})}
    full_env.setdefault("PYTHONUNBUFFERED", "1")
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.address",
        HOST,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--server.enableStaticServing",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            cmd, cwd=str(cwd), env=full_env, stdout=log, stderr=subprocess.STDOUT
        )
    app = RunningApp(url=url, port=port, process=process, log_path=log_path)
    try:
        deadline = time.monotonic() + timeout
        delay = 0.1
        while not _healthy(url):
            if process.poll() is not None:
                raise AppStartError(
                    f"streamlit exited with code {process.returncode} before it was healthy:\n"
                    + app.log()
                )
            if time.monotonic() > deadline:
                raise AppStartError(f"streamlit not healthy after {timeout:.0f} s:\n" + app.log())
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)
        yield app
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=grace)
