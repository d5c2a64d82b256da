"""The process supervisor of `make run`: keeps each child running with backoff, forwards its
stderr, gives up on one that cannot start, and stops everything in order (APIs and workers, then Redis)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

STOP_GRACE = 10.0  # seconds between SIGTERM and SIGKILL
BACKOFF_CAP = 30.0
CRASH_WINDOW = 60.0
MAX_CRASHES = 5  # more crashes than this within CRASH_WINDOW stops the suite
STABLE_AFTER = 60.0  # a child that ran this long restarts its backoff from 1 s
# A child that exits this soon after starting, this many times in a row, cannot start (a missing
# module, a port held by someone else): retrying changes nothing, so it is given up on.
QUICK_EXIT_S = 20.0
GIVE_UP_AFTER = 3


def say(message: str) -> None:
    print(f"[govinspect] {message}", file=sys.stderr, flush=True)


async def _unless(event: asyncio.Event, aw: Awaitable[object]) -> bool:
    """Await `aw` unless `event` is set first; tell whether `aw` finished."""
    task = asyncio.ensure_future(aw)
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        finished = task.done()
        waiter.cancel()
        if not finished:
            task.cancel()
    return finished


async def _terminate(proc: asyncio.subprocess.Process, name: str) -> None:
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        await asyncio.wait_for(proc.wait(), STOP_GRACE)
    except TimeoutError:
        say(f"{name} 未在 {STOP_GRACE:.0f} 秒内退出，强制结束。")
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()


@dataclass
class Child:
    name: str
    argv: tuple[str, ...]
    redis: bool  # the embedded Redis: stopped last, logs to its own file
    essential: bool  # an API: the suite cannot run without it
    env: dict[str, str] | None = None  # set over the supervisor's own environment
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    proc: asyncio.subprocess.Process | None = None
    task: asyncio.Task[None] | None = None
    last_line: str = ""  # the last line it wrote to stderr: why it exited, for a Python child
    copying: list[asyncio.Future[None]] = field(default_factory=list)


async def _forward(fd: int, child: Child) -> None:
    """Copy a child's stderr (the read end of its pipe) to ours line by line, keeping its last
    line. The pipe is ours, not asyncio's: a process the child started (Chromium) may hold it
    open after the child exits, and asyncio's `wait()` would wait for that too."""
    reader = asyncio.StreamReader(limit=1 << 20)
    transport, _ = await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(fd, "rb", 0))
    try:
        while True:
            try:
                line = await reader.readline()
            except ValueError:  # a line longer than the limit: pass it on in pieces
                line = await reader.read(1 << 16)
            if not line:
                break
            sys.stderr.buffer.write(line)
            sys.stderr.flush()
            text = line.decode(errors="replace").strip()
            if text:
                child.last_line = text
    finally:
        transport.close()


class Supervisor:
    def __init__(self) -> None:
        self.stopping = asyncio.Event()
        self.failure: str | None = None
        self.children: list[Child] = []
        self.bootstrapped: dict[str, object] = {}  # the gateway bootstrap's JSON line

    def fail(self, message: str) -> None:
        if self.failure is None:  # the first failure is the cause; later ones follow from it
            self.failure = message
            say(message)
        self.stopping.set()

    def start(self, name: str, argv: Sequence[str], *, redis: bool = False,
              essential: bool = False, env: dict[str, str] | None = None) -> None:
        child = Child(name, tuple(argv), redis, essential, env)
        child.task = asyncio.create_task(self._keep_running(child))
        self.children.append(child)

    async def _spawn(self, child: Child) -> asyncio.subprocess.Process:
        # Same process group, no new session: a terminal Ctrl-C reaches every child too, so
        # nothing outlives the terminal; the stop order below holds when only we are signalled.
        if child.redis:
            return await asyncio.create_subprocess_exec(
                *child.argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL)
        read_fd, write_fd = os.pipe()
        try:
            proc = await asyncio.create_subprocess_exec(
                *child.argv, stdin=asyncio.subprocess.DEVNULL, stderr=write_fd,
                env={**os.environ, **child.env} if child.env else None)
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        child.copying = [c for c in child.copying if not c.done()]
        child.copying.append(asyncio.ensure_future(_forward(read_fd, child)))
        return proc

    async def _run(self, child: Child, proc: asyncio.subprocess.Process) -> bool:
        """Wait for the child's exit (and its last words); False when asked to stop first."""
        if not await _unless(child.stop, proc.wait()):
            return False
        if child.copying:  # its last line may still be in the pipe
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(child.copying[-1]), 2)
        return True

    def _give_up(self, child: Child, how: str) -> None:
        why = child.last_line or how
        if child.essential:
            self.fail(f"{child.name} 无法启动（连续 {GIVE_UP_AFTER} 次启动即退出），停止全部服务：{why}")
        else:
            say(f"{child.name} 无法启动，已停止重试（连续 {GIVE_UP_AFTER} 次启动即退出）：{why}")

    async def _keep_running(self, child: Child) -> None:
        crashes: deque[float] = deque()
        attempt = quick = 0
        while not child.stop.is_set():
            started = time.monotonic()
            child.last_line = ""
            try:
                child.proc = await self._spawn(child)
            except OSError as exc:
                how = f"无法启动（{exc}）"
            else:
                if not await self._run(child, child.proc):
                    break
                how = f"意外退出（退出码 {child.proc.returncode}）"
            if self.stopping.is_set():  # it saw the same Ctrl-C we did
                break
            now = time.monotonic()
            quick = quick + 1 if now - started < QUICK_EXIT_S else 0
            if quick >= GIVE_UP_AFTER:
                self._give_up(child, how)
                return
            crashes.append(now)
            while now - crashes[0] > CRASH_WINDOW:
                crashes.popleft()
            if len(crashes) > MAX_CRASHES:
                self.fail(f"{child.name} {how}，{CRASH_WINDOW:.0f} 秒内已崩溃 {len(crashes)} 次，"
                          "停止全部服务。")
                return
            attempt = 1 if now - started >= STABLE_AFTER else attempt + 1
            delay = min(BACKOFF_CAP, 2.0 ** (attempt - 1))
            say(f"{child.name} {how}，{delay:.0f} 秒后重启。")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(child.stop.wait(), delay)
        if child.proc is not None:
            await _terminate(child.proc, child.name)

    async def run_once(self, name: str, argv: Sequence[str]) -> int | None:
        """Run a command to its end; None when asked to stop first."""
        proc = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.DEVNULL)
        if await _unless(self.stopping, proc.wait()):
            return proc.returncode
        await _terminate(proc, name)
        return None

    async def run_capturing(self, name: str, argv: Sequence[str]) -> tuple[int | None, str]:
        """Run a command to its end and return its exit code and standard output."""
        proc = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.DEVNULL,
                                                    stdout=asyncio.subprocess.PIPE)
        talk = asyncio.ensure_future(proc.communicate())
        if await _unless(self.stopping, talk):
            return proc.returncode, talk.result()[0].decode(errors="replace")
        await _terminate(proc, name)
        return None, ""

    async def wait_until(self, probe: Callable[[], Awaitable[bool]], deadline: float) -> bool:
        """Poll `probe` until it holds; False on reaching the deadline or being stopped."""
        while not self.stopping.is_set():
            if await probe():
                return True
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.2)
        return False

    async def shutdown(self) -> None:
        """Stop APIs and workers, then Redis, which they may still write to while stopping."""
        self.stopping.set()
        for stage in ([c for c in self.children if not c.redis],
                      [c for c in self.children if c.redis]):
            for child in stage:
                child.stop.set()
            results = await asyncio.gather(*(c.task for c in stage if c.task),
                                           return_exceptions=True)
            for child, result in zip(stage, results, strict=False):
                if isinstance(result, BaseException):
                    say(f"{child.name} 的监管出错：{result!r}")
        for child in self.children:  # a watcher that failed must not leave its process behind
            if child.proc is not None:
                await _terminate(child.proc, child.name)
        copying = [c for child in self.children for c in child.copying]
        if copying:  # the last lines of stopped children, unless something still holds a pipe
            await asyncio.wait(copying, timeout=2)
            for c in copying:
                c.cancel()
