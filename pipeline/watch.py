"""`pipeline watch --every 10m [run options]`: incremental runs one after another until
Ctrl-C / SIGTERM.

Each run is a child process (`pipeline run ... --run-id <id>`) in its own process group. A
stop between runs ends the wait; a stop inside a run kills the child's group, then removes
what the killed run may have left half-done: temporary files (`.*.tmp`) under the output and
state folders. The run's staged files never reached the tables: the next run's recovery
discards them, or finishes the publish if the killed run had written its commit record
(docs/exactly-once.md), so the tables hold that run whole or not at all.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
KILL_GRACE_S = 10.0


def parse_every(text: str) -> float:
    """'90', '30s', '10m', '1h', '1d' -> seconds (> 0)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text or "")
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"--every must be a duration such as 30s, 10m, 1h, not {text!r}")
    return float(match.group(1)) * UNITS[match.group(2) or "s"]


def without(args: list[str], flag: str, takes_value: bool) -> list[str]:
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg == flag:
            skip = takes_value
        elif not arg.startswith(f"{flag}="):
            out.append(arg)
    return out


def cleanup(folders: list[Path], run_id: str) -> list[Path]:
    """Remove temporary files a killed run may have left; returns what was removed."""
    removed = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*.tmp"):
            if path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


class Watcher:
    def __init__(self, every_s: float, run_args: list[str], output: str, state: str | None):
        self.every_s = every_s
        self.run_args = run_args
        self.output = Path(output).resolve()
        self.state = Path(state).resolve() if state else self.output / "_state"
        self.stop = threading.Event()
        self.child: subprocess.Popen | None = None

    def on_signal(self, signum, _frame) -> None:
        print(f"watch: {signal.Signals(signum).name}: stopping", file=sys.stderr, flush=True)
        self.stop.set()
        self.kill_child(signal.SIGTERM)

    def kill_child(self, how: int) -> None:
        child = self.child
        if child is not None and child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, how)

    def run_once(self, number: int) -> int:
        run_id = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-w{number}"
        args = self.run_args if number == 1 else without(self.run_args, "--full-refresh", False)
        command = [sys.executable, "-m", "pipeline", "run", *args, "--run-id", run_id]
        self.child = subprocess.Popen(command, start_new_session=True)
        try:
            while True:
                try:
                    code = self.child.wait(timeout=0.5)
                    break
                except subprocess.TimeoutExpired:
                    if self.stop.is_set():  # SIGTERM was sent; insist after a grace period
                        try:
                            code = self.child.wait(timeout=KILL_GRACE_S)
                        except subprocess.TimeoutExpired:
                            self.kill_child(signal.SIGKILL)
                            code = self.child.wait()
                        break
        finally:
            self.child = None
        if self.stop.is_set() and code != 0:
            removed = cleanup([self.output, self.state], run_id)
            print(
                f"watch: run {run_id} interrupted; removed {len(removed)} temporary files; "
                "it is redone by the next run",
                file=sys.stderr,
                flush=True,
            )
        return code

    def loop(self) -> int:
        number = 0
        while not self.stop.is_set():
            number += 1
            started = time.monotonic()
            code = self.run_once(number)
            if self.stop.is_set():
                break
            if code == 2:  # bad options or config: waiting will not fix it
                return code
            if code != 0:
                print(f"watch: run {number} failed (exit {code}); trying again next time", file=sys.stderr)
            self.stop.wait(max(0.0, self.every_s - (time.monotonic() - started)))
        print("watch: stopped", file=sys.stderr, flush=True)
        return 0


def command_watch(args: argparse.Namespace, run_args: list[str]) -> int:
    """run_args: every option after `watch` except --every, passed to each `pipeline run`."""
    watcher = Watcher(parse_every(args.every), without(run_args, "--run-id", True), args.output, args.state)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, watcher.on_signal)
    return watcher.loop()
