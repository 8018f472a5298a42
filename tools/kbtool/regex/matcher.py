"""Regexes from untrusted records: safe compilation and bounded-time matching.

Python's `re` has no timeout and holds the GIL while it backtracks, so a
thread cannot stop it. Every match of a record's regex therefore runs in a
worker process. Each job gets `seconds_per_job` of CPU time: a CPU-time timer
in the worker interrupts the regex engine (which checks for signals while it
backtracks) and the job is reported as timed out, so a loaded machine does not
cause false timeouts. As a backstop, and where no such timer exists, the parent
kills a worker that stays silent past a wall-clock bound, reports the job as
timed out and goes on with a fresh worker. Jobs are streamed through a pipe in
a bounded window, so the cost per job is a fraction of a millisecond.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import time
import warnings

from re import _compiler as _re_compiler
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence

from kbtool.regex.literals import parse
from kbtool.regex.shapes import RegexAnalysis, analyse_regex, analysis_of_tree

#: Seconds one regex may spend on all the texts of one job.
DEFAULT_SECONDS_PER_JOB = 1.0
#: The bound for a regex that the static analysis already found catastrophic: there is no point
#: in waiting long for it (it is reported anyway), and a KB full of them must still lint quickly.
CATASTROPHIC_SECONDS_PER_JOB = 0.1
#: Regexes longer than this are not compiled (the schema also caps them).
MAX_PATTERN_LENGTH = 5000
_WINDOW = 64
_MAX_WORKERS = 2  # the matching is a fraction of a run: more processes would only add start-up cost
_MIN_JOBS_PER_SHARE = 500  # smaller batches are not worth a second worker
_PARENT_CHECK_SECONDS = 0.5  # how often an idle worker checks that its parent is still alive


@dataclass(frozen=True)
class SearchJob:
    """Search each of `texts` with `pattern` (compiled with `flags`)."""

    pattern: str
    texts: tuple[str, ...]
    flags: int = 0
    seconds: float | None = None  # this job's time bound; None: the matcher's `seconds_per_job`
    #: Also make the static analysis (`analyse_regex`) from the same parse as the compilation, and
    #: return it; when it finds a catastrophic shape and `seconds` is None, the job gets
    #: `CATASTROPHIC_SECONDS_PER_JOB`.
    analyse: bool = False


@dataclass(frozen=True)
class SearchResult:
    """`matches[i]` is whether `texts[i]` matched; all None when the job failed."""

    matches: tuple[bool | None, ...]
    error: str | None = None  # the pattern does not compile
    timed_out: bool = False
    analysis: RegexAnalysis | None = None  # with `SearchJob.analyse`, unless the job timed out


def compile_error(pattern: str, flags: int = 0) -> str | None:
    """Why `pattern` does not compile under Python `re`, or None when it does."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"the regex is {len(pattern)} characters long; at most {MAX_PATTERN_LENGTH} are compiled"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", FutureWarning)
            re.compile(pattern, flags)
    except re.error as error:
        where = f" at position {error.pos}" if error.pos is not None else ""
        return f"{error.msg}{where}"
    except FutureWarning as warning:  # `[[:alpha:]]`, `&&`, `--`, `||`, `~~`: constructs of other engines
        return (f"{warning}: a POSIX class such as [[:alpha:]] or a set operation (&&, --, ||, ~~) of another "
                "regex engine, which Python's re reads as literal characters; write the class out, e.g. [A-Za-z]")
    except RecursionError:
        return "groups or look-arounds are nested too deeply to compile"
    except OverflowError:
        return "a repeat count or character code is too large to compile"
    except (ValueError, MemoryError) as error:
        return f"cannot be compiled ({type(error).__name__})"
    return None


def _compiled_and_analysed(job: SearchJob):
    """(compiled pattern, static analysis) from one parse of the pattern, or None when that fails."""
    tree = parse(job.pattern, job.flags)
    if tree is None:
        return None
    analysis = analysis_of_tree(tree)
    try:  # compile the tree just analysed: the same steps as re.compile, without parsing again
        return _re_compiler.compile(tree, job.flags), analysis
    except Exception:
        return None


def _search_all(job: SearchJob) -> SearchResult:
    analysis = None
    prepared = _compiled_and_analysed(job) if job.analyse else None
    if prepared is not None:
        compiled, analysis = prepared
        if analysis.shape and job.seconds is None and _CPU_TIMER:
            signal.setitimer(signal.ITIMER_VIRTUAL, CATASTROPHIC_SECONDS_PER_JOB)
    else:
        error = compile_error(job.pattern, job.flags)
        if error is not None:
            return SearchResult(tuple(None for _ in job.texts), error=error,
                                analysis=RegexAnalysis(None, ()) if job.analyse else None)
        compiled = re.compile(job.pattern, job.flags)
        if job.analyse:
            analysis = analyse_regex(job.pattern)
    return SearchResult(tuple(compiled.search(text) is not None for text in job.texts), analysis=analysis)


class _CpuLimit(Exception):
    """Raised in the worker when a job has used up its CPU time."""


def _on_cpu_limit(signum, frame) -> None:  # runs in the child process
    raise _CpuLimit


#: Where the platform has a CPU-time timer, the worker stops a job itself after the job's CPU
#: seconds (the regex engine checks for signals while it backtracks), so a busy machine does not
#: turn slow scheduling into false timeouts; the parent then only kills a worker that has been
#: silent for this many times the bound in wall-clock time.
_CPU_TIMER = hasattr(signal, "setitimer") and hasattr(signal, "ITIMER_VIRTUAL") and hasattr(signal, "SIGVTALRM")
_WALL_FACTOR_WITH_CPU_TIMER = 10


def _search_limited(job: SearchJob, cpu_seconds: float) -> SearchResult:
    try:
        if _CPU_TIMER:
            signal.setitimer(signal.ITIMER_VIRTUAL, cpu_seconds)
        try:
            return _search_all(job)
        finally:
            if _CPU_TIMER:
                signal.setitimer(signal.ITIMER_VIRTUAL, 0)
    except _CpuLimit:
        return SearchResult(tuple(None for _ in job.texts), timed_out=True)


def _worker(connection, cpu_seconds: float, parent_end, parent_pid: int) -> None:  # runs in the child process
    # The child inherits the parent's end of its own pipe (and of any sibling's): close ours, and
    # watch the parent, so that a killed lint never leaves a worker waiting for jobs forever.
    parent_end.close()
    # Python's re only warns about constructs of other engines (POSIX classes, set operations) and
    # then reads them differently: make them errors, so that they are reported as regex-invalid.
    warnings.simplefilter("error", FutureWarning)
    if _CPU_TIMER:
        signal.signal(signal.SIGVTALRM, _on_cpu_limit)
    while True:
        try:
            while not connection.poll(_PARENT_CHECK_SECONDS):
                if os.getppid() != parent_pid:
                    return
            job = connection.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            result = _search_limited(job, job.seconds or cpu_seconds)
        except Exception as error:  # a broken pattern must not kill the worker silently
            result = SearchResult(tuple(None for _ in job.texts), error=f"{type(error).__name__}: {error}")
        connection.send(result)


class _Worker:
    """One worker process that runs a stream of jobs, each within its time bound."""

    def __init__(self, seconds_per_job: float) -> None:
        self.seconds_per_job = seconds_per_job  # CPU seconds where the platform can tell, else wall-clock
        self._wall_factor = _WALL_FACTOR_WITH_CPU_TIMER if _CPU_TIMER else 1
        self._wall_bound = seconds_per_job * self._wall_factor
        self._context = multiprocessing.get_context("fork")
        self._process = None
        self._connection = None

    def _start(self) -> None:
        parent_end, child_end = self._context.Pipe()
        self._process = self._context.Process(
            target=_worker, args=(child_end, self.seconds_per_job, parent_end, os.getpid()), daemon=True)
        self._process.start()
        child_end.close()
        self._connection = parent_end

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
        if self._connection is not None:
            self._connection.close()
        self._process = self._connection = None

    def close(self) -> None:
        """Stop the worker."""
        if self._connection is not None:
            try:
                self._connection.send(None)
            except (OSError, BrokenPipeError):
                pass
        self._kill()

    def run(self, jobs: Sequence[SearchJob]) -> list[SearchResult]:
        """Run every job; a job that overruns its time bound gets `timed_out=True`."""
        results: list[SearchResult | None] = [None] * len(jobs)
        next_to_send = 0
        outstanding: deque[int] = deque()
        head_started = time.monotonic()
        while next_to_send < len(jobs) or outstanding:
            if self._process is None:
                self._start()
            while next_to_send < len(jobs) and len(outstanding) < _WINDOW:
                if not outstanding:
                    head_started = time.monotonic()
                self._connection.send(jobs[next_to_send])
                outstanding.append(next_to_send)
                next_to_send += 1
            head_seconds = jobs[outstanding[0]].seconds
            wall_bound = self._wall_bound if head_seconds is None else head_seconds * self._wall_factor
            remaining = head_started + wall_bound - time.monotonic()
            if remaining > 0 and self._connection.poll(remaining):
                try:
                    result = self._connection.recv()
                except EOFError:  # the worker died (e.g. out of memory): count it as a timeout
                    result = None
                if result is not None:
                    results[outstanding.popleft()] = result
                    head_started = time.monotonic()
                    continue
            # The head job overran (or killed the worker): report it, restart, resend the rest.
            culprit = outstanding.popleft()
            results[culprit] = SearchResult(tuple(None for _ in jobs[culprit].texts), timed_out=True)
            self._kill()
            next_to_send = outstanding[0] if outstanding else next_to_send
            outstanding.clear()
            head_started = time.monotonic()
        return [result for result in results if result is not None]


class BoundedMatcher:
    """Runs regex searches in worker processes (one per core, two at most) with a time bound per job.

    Large batches are split into one contiguous share per worker; each share is driven by a
    thread of this process that only waits on its worker's pipe, so the shares run in parallel.
    """

    def __init__(self, seconds_per_job: float = DEFAULT_SECONDS_PER_JOB, workers: int | None = None) -> None:
        self.seconds_per_job = seconds_per_job
        count = workers if workers is not None else min(_MAX_WORKERS, os.cpu_count() or 1)
        self._workers = [_Worker(seconds_per_job) for _ in range(max(1, count))]

    def close(self) -> None:
        """Stop the workers."""
        for worker in self._workers:
            worker.close()

    def __enter__(self) -> "BoundedMatcher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run(self, jobs: Sequence[SearchJob]) -> list[SearchResult]:
        """Run every job; a job that overruns its time bound gets `timed_out=True`. Results are in job order."""
        shares = min(len(self._workers), max(1, len(jobs) // _MIN_JOBS_PER_SHARE))
        if shares == 1:
            return self._workers[0].run(jobs)
        size = -(-len(jobs) // shares)
        chunks = [jobs[start:start + size] for start in range(0, len(jobs), size)]
        with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
            parts = list(pool.map(lambda pair: pair[0].run(pair[1]), zip(self._workers, chunks)))
        return [result for part in parts for result in part]
