"""Start a real Neo4j 5.26 Community (tools/neo4j-server, from Maven Central) for tests and benchmarks.

No Docker: the Maven project embeds Neo4j with Bolt on a loopback port and auth on. The first use
builds the jar (downloads into ~/.m2, cached afterwards); later uses start in ~10 s.

    >>> with Neo4jServer(tmp_path) as server:             # doctest: +SKIP
    ...     load_graph(result, uri=server.uri, user=server.user, password=server.password)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tools" / "neo4j-server"
JAR = PROJECT / "target" / "kg-neo4j-server.jar"
READY = "kg-neo4j-server ready bolt://127.0.0.1:"
JVM_OPTS = ("-Xms512m", "-Xmx1g", "-XX:+UseG1GC", "-XX:-OmitStackTraceInFastThrow",
            "-Dio.netty.tryReflectionSetAccessible=true", "-Djdk.nio.maxCachedBufferSize=1024")


class Neo4jServerError(RuntimeError):
    pass


def build_jar(force: bool = False) -> Path:
    """Build tools/neo4j-server unless the jar is newer than its sources."""
    sources = [PROJECT / "pom.xml", *PROJECT.glob("src/**/*.java")]
    if not force and JAR.exists() and (PROJECT / "target" / "lib").is_dir() and \
            JAR.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return JAR
    if shutil.which("mvn") is None or shutil.which("java") is None:
        raise Neo4jServerError("building tools/neo4j-server needs Java 17+ and Maven (`make system-deps`)")
    proc = subprocess.run(["mvn", "-q", "-B", "package"], cwd=PROJECT, capture_output=True, text=True)
    if proc.returncode != 0 or not JAR.exists():
        raise Neo4jServerError(f"mvn package in {PROJECT} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return JAR


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Neo4jServer:
    """One Neo4j process on a store folder; `kill()` then `start()` reuses the store and the port."""

    user = "neo4j"

    def __init__(self, home: str | Path | None = None, password: str = "kg-test-password",
                 port: int = 0, pagecache: str = "256m") -> None:
        self._tmp = None if home else tempfile.mkdtemp(prefix="kg-neo4j-")
        self.home = Path(home or self._tmp)
        self.password = password
        self.port = port
        self.pagecache = pagecache
        self.proc: subprocess.Popen | None = None
        self._log: list[str] = []

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180.0) -> Neo4jServer:
        jar = build_jar()
        if not self.port:
            self.port = free_port()
        self._log = []
        self.proc = subprocess.Popen(
            ["java", *JVM_OPTS, "-jar", str(jar), "server", "--home", str(self.home), "--port", str(self.port),
             "--password", self.password, "--pagecache", self.pagecache],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ready = threading.Event()
        threading.Thread(target=self._pump, args=(self.proc, ready), daemon=True).start()
        deadline = time.monotonic() + timeout
        while not ready.wait(0.2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise Neo4jServerError(f"Neo4j did not start on {self.uri}:\n" + "".join(self._log[-40:]))
        return self

    def _pump(self, proc: subprocess.Popen, ready: threading.Event) -> None:
        for line in proc.stdout:
            self._log.append(line)
            if line.startswith(READY):
                ready.set()

    def kill(self) -> None:
        """SIGKILL: the crash the loader must survive (no clean shutdown, recovery on next start)."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)
        self.proc = None

    def stop(self, timeout: float = 60.0) -> None:
        """Clean shutdown: closing stdin makes the server stop itself."""
        if self.proc and self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        self.proc = None

    def close(self) -> None:
        self.stop()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def admin(self, *args: str, timeout: float = 600.0) -> subprocess.CompletedProcess:
        """neo4j-admin on this store (the server must be stopped), e.g. `database import full ...`."""
        jar = build_jar()
        env = {**os.environ, "NEO4J_HOME": str(self.home)}
        return subprocess.run(["java", *JVM_OPTS, "-jar", str(jar), "admin", "--home", str(self.home), *args],
                              capture_output=True, text=True, timeout=timeout, env=env)

    def __enter__(self) -> Neo4jServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
