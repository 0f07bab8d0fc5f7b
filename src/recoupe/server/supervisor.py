"""Running the server: one process, or uvicorn's supervisor over several, with every worker death logged.

uvicorn's supervisor pings each worker every half second and kills one that does not answer within the health
check timeout; it replaces dead workers without saying why at the log level `serve` runs at. Here each death
is logged as a warning with its reason (the exit code or signal, or the missed health check).
"""

from __future__ import annotations

import logging
import signal

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors.multiprocess import Multiprocess

log = logging.getLogger("recoupe.serve")

# A worker is spawned afresh and imports the command line and the app before the thread that answers the
# health check starts: on a busy 2-core machine that alone can take more than uvicorn's default 5 s.
WORKER_HEALTHCHECK_SECONDS = 30
# SIGTERM: requests in flight get this long to finish, then they are cancelled and an ingest in progress is
# stopped (its batch rolled back), so that the server stops within seconds whatever it is doing.
GRACEFUL_SHUTDOWN_SECONDS = 3


def death_reason(exitcode: int | None) -> str:
    """Why a worker process ended, from its exit code."""
    if exitcode is None:
        return "it did not answer the health check in time and was killed"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with code {exitcode}"


class LoggingMultiprocess(Multiprocess):
    """uvicorn's supervisor, logging every worker death with its reason before replacing the worker."""

    def keep_subprocess_alive(self) -> None:
        """Log the workers that died or hang, then let uvicorn replace them."""
        if self.should_exit.is_set():
            return
        for process in self.processes:
            exitcode = process.exitcode
            if exitcode is not None:
                log.warning("server process %s died: %s; starting another", process.pid, death_reason(exitcode))
        dead_before = {id(p) for p in self.processes if p.exitcode is not None}
        before = list(self.processes)
        super().keep_subprocess_alive()
        for old, new in zip(before, self.processes, strict=True):
            if new is not old and id(old) not in dead_before:
                log.warning("server process %s died: %s; started %s", old.pid, death_reason(None), new.pid)


def _config(app: str | FastAPI, host: str, port: int, workers: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        factory=isinstance(app, str),
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )


def serve_one(app: FastAPI, host: str, port: int) -> None:
    """Serve the app in this process until SIGINT or SIGTERM."""
    uvicorn.Server(_config(app, host, port, 1)).run()


def serve_many(factory: str, host: str, port: int, workers: int) -> None:
    """Serve the app of `factory` (an import string) from `workers` processes sharing the port."""
    config = _config(factory, host, port, workers)
    _configure_logging()
    LoggingMultiprocess(config, sockets=[config.bind_socket()]).run()


def _configure_logging() -> None:
    # uvicorn's own loggers are set up by its Config; ours writes beside them on stderr.
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
