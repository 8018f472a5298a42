"""Regexes from untrusted records: bounded-time matching in worker processes.

Python's `re` has no timeout and holds the GIL while it backtracks, so a thread cannot stop it, and
its signal checks can be minutes apart (a class of 2,000 astral characters is scanned whole inside
one opcode). Every match of a record's regex therefore runs in a worker process
(`kbtool.regex.search`), and the time bound is enforced from outside it:

- a watchdog in this process gives each job a wall-clock deadline (`WALL_FACTOR` times its CPU
  bound, counted from when the worker can start it; up to `LOADED_WALL_FACTOR` times while the
  worker has not yet had its CPU seconds, on a loaded machine), kills a worker that misses it,
  reports the job as timed out and goes on with a fresh worker, started as soon as the old one is
  killed (kept warm);
- I/O to a worker never blocks the watchdog: jobs are written without blocking from a bounded
  buffer, and the watchdog waits on the worker's results and on the pipe becoming writable
  together, with the deadline as timeout;
- a run has a budget (`RUN_BUDGET_SECONDS`) for the time spent in jobs that overran: once it is
  used up, later jobs get `EXHAUSTED_SECONDS` each, and past twice the budget the remaining jobs
  are cut short without running; their results say so (`timed_out`, `cut_short`), so that
  `regex-redos` names each of them;
- workers are fresh interpreters (the equivalent of multiprocessing's "spawn"), never forked from
  this process, which may run threads; a worker also dies with its parent.

Inside the worker a CPU-time timer stops most jobs first, so a loaded machine does not turn slow
scheduling into false timeouts. Jobs are streamed in a bounded window, so the cost per job is a
fraction of a millisecond.
"""

from __future__ import annotations

import os
import pickle
import queue
import selectors
import subprocess
import threading
import time
from collections import deque
from typing import Sequence

from kbtool.files import start_python
from kbtool.regex.search import (CATASTROPHIC_SECONDS_PER_JOB, CPU_TIMER, DEFAULT_SECONDS_PER_JOB, FRAME_HEADER,
                                 MAX_PATTERN_LENGTH, READY, CandidatesJob, PairsJob, SearchJob, SearchResult, TextsJob,
                                 compile_error, frame, unanswered)

__all__ = ["BoundedMatcher", "CandidatesJob", "PairsJob", "SearchJob", "SearchResult", "candidate_parts", "compile_error",
           "CATASTROPHIC_SECONDS_PER_JOB", "DEFAULT_SECONDS_PER_JOB", "MAX_PATTERN_LENGTH", "RUN_BUDGET_SECONDS"]

_WINDOW = 64  # jobs sent ahead of the one running
_BUFFER_BYTES = 1 << 20  # jobs are queued for writing up to this many bytes (one job may be larger)
_MAX_WORKERS = 2  # the matching is a fraction of a run: more processes would only add start-up cost
_MIN_JOBS_PER_SHARE = 500  # smaller batches are not worth a second worker (a CandidatesJob counts as a batch)
_TEXTS_PER_PART = 1000  # texts of CandidatesJobs sent to a worker in one TextsJob
#: A job's wall-clock deadline is this many times its CPU bound (where the worker has a CPU timer,
#: which stops nearly every slow job itself; without one, the wall clock is the only bound).
WALL_FACTOR = 3 if CPU_TIMER else 1
#: On a loaded machine a job may wait for a CPU: past the deadline above, a worker that has not yet
#: used its job's CPU seconds gets up to this many times the bound before it is killed regardless.
LOADED_WALL_FACTOR = 10
_CHECKPOINT = 0.25  # fraction of the bound after which a job's CPU use starts to be watched
#: Seconds of wall-clock time one run (one BoundedMatcher) may spend in jobs that overran.
RUN_BUDGET_SECONDS = 20.0
#: The bound of each job once the budget is used up: ample for a regex that is not slow.
EXHAUSTED_SECONDS = 0.05
#: A worker that is not ready this long after a run began to wait for it is an error: an overloaded
#: machine. (Counted from then, not from the worker's start: one started ahead, or a spare, may wait
#: long unused.)
START_SECONDS = 60.0
try:
    _CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
except (AttributeError, ValueError, OSError):
    _CLOCK_TICKS = 100
_WORKER_CODE = ("import sys; sys.path.insert(0, sys.argv[1]); "
                "from kbtool.regex.search import worker_main; worker_main(int(sys.argv[2]))")


class _Budget:
    """The run's budget for time spent in jobs that overran, shared by the workers of one matcher."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent = 0.0
        self.overruns = 0  # jobs that overran: counted apart from the seconds (one answered along with the job before it took none)
        self._lock = threading.Lock()

    def spend(self, seconds: float) -> None:
        """Count one job that overran, and the wall-clock seconds it took."""
        with self._lock:
            self.spent += seconds
            self.overruns += 1

    @property
    def exhausted(self) -> bool:
        return self.spent >= self.seconds

    @property
    def gone(self) -> bool:
        return self.spent >= 2 * self.seconds


class _Process:
    """One worker interpreter and its two pipes (jobs in, results out)."""

    def __init__(self) -> None:
        self.popen = start_python(_WORKER_CODE, str(os.getpid()), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, bufsize=0)
        self.pid = self.popen.pid
        self.jobs = self.popen.stdin.fileno()
        self.results = self.popen.stdout.fileno()
        os.set_blocking(self.jobs, False)
        self.ready = False
        self._incoming = bytearray()

    def cpu_seconds(self) -> float | None:
        """CPU seconds the worker has used (Linux /proc), or None where that cannot be read."""
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
        except (OSError, ValueError, IndexError):
            return None

    def read_frames(self) -> list[bytes] | None:
        """The complete frames that have arrived (without blocking); None at end of file."""
        try:
            chunk = os.read(self.results, 1 << 16)
        except BlockingIOError:
            return []
        if not chunk:
            return None
        self._incoming += chunk
        frames = []
        while len(self._incoming) >= FRAME_HEADER.size:
            size = FRAME_HEADER.unpack_from(self._incoming)[0]
            if len(self._incoming) < FRAME_HEADER.size + size:
                break
            frames.append(bytes(self._incoming[FRAME_HEADER.size:FRAME_HEADER.size + size]))
            del self._incoming[:FRAME_HEADER.size + size]
        return frames

    def kill(self) -> None:
        try:
            self.popen.kill()
        except OSError:
            pass
        for stream in (self.popen.stdin, self.popen.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.popen.wait()

    def close(self) -> None:
        """End the worker: it holds nothing to save, so it is killed rather than waited for."""
        self.kill()


class _Spawner:
    """Starts every worker from one long-lived thread. Linux sends a worker its parent-death signal
    (PR_SET_PDEATHSIG, asked for by the worker) when the *thread* that started it ends: starting
    workers from the short-lived threads that drive them would kill them between two runs."""

    def __init__(self) -> None:
        self._requests: "queue.Queue[tuple[threading.Event, list]]" = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start_process(self) -> _Process:
        if threading.current_thread() is threading.main_thread():
            return _Process()  # the main thread lives as long as the process
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="kbtool-regex-spawner", daemon=True)
                self._thread.start()
        done, box = threading.Event(), []
        self._requests.put((done, box))
        done.wait()
        if isinstance(box[0], BaseException):
            raise box[0]
        return box[0]

    def _serve(self) -> None:
        while True:
            done, box = self._requests.get()
            try:
                box.append(_Process())
            except BaseException as error:  # handed to the thread that asked
                box.append(error)
            done.set()


_SPAWNER = _Spawner()
#: The worker started by `start_ahead`, until a matcher takes it.
_AHEAD: list[_Process] = []


def start_ahead() -> None:
    """Start a worker now, for the first matcher of this process to take (`BoundedMatcher.start`, or its first batch):
    the console script of `kbtool match` and `kbtool lint` calls this before it imports its command line, so that the
    worker's start-up (a fresh interpreter importing `kbtool.regex.search`, 60-90 ms) overlaps that import (and a
    lint's reading of the first files) instead of following it.
    A worker never taken ends with this process."""
    if not _AHEAD:
        _AHEAD.append(_SPAWNER.start_process())


def _started_process() -> _Process:
    """The worker started ahead, else a new one."""
    return _AHEAD.pop() if _AHEAD else _SPAWNER.start_process()


class _Worker:
    """One worker at a time, with a spare started after each kill, running a stream of jobs within their bounds."""

    def __init__(self, seconds_per_job: float, budget: _Budget, start_seconds: float = START_SECONDS) -> None:
        self.seconds_per_job = seconds_per_job  # CPU seconds where the platform can tell, else wall-clock
        self.budget = budget
        self.start_seconds = start_seconds
        self._process: _Process | None = None
        self._spare: _Process | None = None
        self.closed = False  # stopped (`stop`): no job runs and no worker starts until `close`

    def _ensure_started(self) -> _Process:
        if self._process is None:
            self._process, self._spare = self._spare or _started_process(), None
        return self._process

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
        self._process = None
        if self._spare is None and not self.closed:
            self._spare = _SPAWNER.start_process()  # warm: it imports while the watchdog goes on

    def stop(self) -> None:
        """Kill the worker (and its spare) without waiting: a thread streaming jobs to it sees it end, and
        runs no more (`closed`)."""
        self.closed = True
        for process in (self._process, self._spare):
            if process is not None:
                try:
                    process.popen.kill()
                except OSError:
                    pass

    def close(self) -> None:
        """Stop the worker (and its spare); a later job starts a new one."""
        for process in (self._process, self._spare):
            if process is not None:
                process.close()
        self._process = self._spare = None
        self.closed = False

    def _bounds(self, job: SearchJob) -> tuple[float, float]:
        """(CPU seconds, catastrophic CPU seconds) of `job` now, after what the budget says."""
        seconds = job.seconds or self.seconds_per_job
        catastrophic = CATASTROPHIC_SECONDS_PER_JOB
        if self.budget.exhausted:
            seconds, catastrophic = min(seconds, EXHAUSTED_SECONDS), min(catastrophic, EXHAUSTED_SECONDS)
        return seconds, catastrophic

    def run(self, jobs: Sequence[SearchJob | PairsJob]) -> list[SearchResult]:
        """Run every job; a job that overruns its time bound gets `timed_out=True`."""
        results: list[SearchResult | None] = [None] * len(jobs)
        next_to_send = 0
        while next_to_send < len(jobs):
            if self.budget.gone or self.closed:  # past twice the budget (or closed): cut the rest short without running them
                for index in range(next_to_send, len(jobs)):
                    results[index] = unanswered(jobs[index], timed_out=True, cut_short=True)
                break
            next_to_send = self._run_on_one_process(jobs, next_to_send, results)
        return [result for result in results if result is not None]

    def _run_on_one_process(self, jobs: Sequence[SearchJob], first: int, results: list) -> int:
        """Stream jobs from `first` on through one worker until all are done (returns len(jobs)) or
        one overruns (it is reported, the worker killed; returns the index to go on from)."""
        process = self._ensure_started()
        if self.closed:  # stopped while the worker started: nothing runs
            return first
        waiting_since = time.monotonic()
        outstanding: deque[tuple[int, float, bool]] = deque()  # (job, its CPU bound, sent after the budget ran out)
        buffer = bytearray()
        next_to_send = first
        head_clock: float | None = None  # when the head job could start (None: not yet)
        head_cpu: float | None = None  # the worker's CPU seconds at the head job's checkpoint, where known
        selector = selectors.DefaultSelector()
        selector.register(process.results, selectors.EVENT_READ)
        writing = False
        try:
            while next_to_send < len(jobs) or outstanding:
                if self.closed:
                    return self._cut_short(jobs, results, outstanding, next_to_send)
                while (next_to_send < len(jobs) and len(outstanding) < _WINDOW
                       and (len(buffer) < _BUFFER_BYTES or not buffer) and not self.budget.gone):
                    seconds, catastrophic = self._bounds(jobs[next_to_send])
                    data = frame(pickle.dumps((jobs[next_to_send], seconds, catastrophic), pickle.HIGHEST_PROTOCOL))
                    buffer += data
                    outstanding.append((next_to_send, seconds, self.budget.exhausted))
                    next_to_send += 1
                if not outstanding:
                    return next_to_send
                if buffer and not writing:
                    selector.register(process.jobs, selectors.EVENT_WRITE)
                    writing = True
                elif not buffer and writing:
                    selector.unregister(process.jobs)
                    writing = False
                now = time.monotonic()
                head_seconds = outstanding[0][1]
                if process.ready and head_clock is None:
                    head_clock = now
                # The head job's clock runs from when the worker could start reading it: the worker
                # is reading or running it, and nothing else, so writing it cannot stop the clock.
                deadline = head_clock + head_seconds * WALL_FACTOR if process.ready else waiting_since + self.start_seconds
                # A quarter into the bound, note the worker's CPU time (one read of /proc, only for
                # slow jobs): at the deadline it tells a starved worker from a busy one.
                checkpoint = head_clock + head_seconds * _CHECKPOINT if process.ready and head_cpu is None else deadline
                if process.ready and head_cpu is None and now >= checkpoint:
                    head_cpu, checkpoint = process.cpu_seconds(), deadline
                    head_cpu = head_cpu if head_cpu is not None else float("nan")
                wake = min(deadline, checkpoint)
                events = selector.select(max(0.0, wake - now))  # past the wake-up time, a look without waiting
                progressed = False
                for key, mask in events:
                    if key.fd == process.jobs:
                        try:
                            count = os.write(process.jobs, buffer[:1 << 20])
                        except BlockingIOError:
                            count = 0
                        except OSError:  # the worker died: its results tell
                            count = 0
                        if count:
                            del buffer[:count]
                            progressed = True
                        continue
                    frames = process.read_frames()
                    if frames is None and self.closed:  # killed by `stop`: the jobs sent did not run to the end
                        return self._cut_short(jobs, results, outstanding, next_to_send)
                    if frames is None and not process.ready:
                        raise RuntimeError("a regex worker ended before it was ready (cannot start Python?)")
                    if frames is None:  # the worker died (e.g. out of memory): the head job overran
                        return self._overran(jobs, results, outstanding, head_clock or now)
                    for payload in frames:
                        progressed = True
                        if not process.ready:
                            if payload != READY:
                                raise RuntimeError("a regex worker did not start properly")
                            process.ready = True
                            continue
                        index, _, exhausted = outstanding.popleft()
                        result = pickle.loads(payload)
                        finished = time.monotonic()
                        if result.timed_out:
                            self.budget.spend(finished - (head_clock or finished))
                            if exhausted:
                                result = SearchResult(result.matches, result.error, True, result.analysis, cut_short=True)
                        results[index] = result
                        head_clock, head_cpu = finished, None
                if progressed or time.monotonic() < deadline or process.ready and head_cpu is None:
                    continue
                if not process.ready:
                    raise RuntimeError(f"a regex worker did not start within {self.start_seconds:g} s")
                if self._waiting_for_a_cpu(process, head_clock, head_cpu, head_seconds):
                    continue
                return self._overran(jobs, results, outstanding, head_clock)
            return next_to_send
        finally:
            selector.close()

    def _waiting_for_a_cpu(self, process: _Process, head_clock: float, head_cpu: float | None, seconds: float) -> bool:
        """Past the deadline, whether the worker is merely starved of CPU (it has not yet used its
        job's CPU seconds) and still within LOADED_WALL_FACTOR times the bound: then wait more."""
        if time.monotonic() - head_clock >= seconds * LOADED_WALL_FACTOR:
            return False
        used = process.cpu_seconds()
        if used is None or head_cpu is None or head_cpu != head_cpu:  # unknown (NaN): trust the deadline
            return False
        if used - head_cpu >= seconds * (WALL_FACTOR - _CHECKPOINT) / WALL_FACTOR:
            return False  # it had the CPU most of the time: a busy worker, not a starved one
        time.sleep(min(0.05, seconds))
        return True

    @staticmethod
    def _cut_short(jobs: Sequence[SearchJob], results: list, outstanding: deque, next_to_send: int) -> int:
        """The jobs sent and not answered, reported as cut short (the worker was stopped); the index to go on from."""
        for index, _, _ in outstanding:
            results[index] = unanswered(jobs[index], timed_out=True, cut_short=True)
        outstanding.clear()
        return next_to_send

    def _overran(self, jobs: Sequence[SearchJob], results: list, outstanding: deque, head_clock: float) -> int:
        """The head job overran (or killed the worker): report it, kill the worker, go on after the job."""
        culprit, _, exhausted = outstanding.popleft()
        self.budget.spend(time.monotonic() - head_clock)
        results[culprit] = unanswered(jobs[culprit], timed_out=True, cut_short=exhausted)
        self._kill()
        return culprit + 1


class BoundedMatcher:
    """Runs regex searches in worker processes (one per core, two at most) with a time bound per job
    and a budget for the whole run (see the module's documentation).

    Large batches are split into one contiguous share per idle worker; each share is driven by a
    thread of this process that only waits on its worker's pipe, so the shares run in parallel.
    """

    def __init__(self, seconds_per_job: float = DEFAULT_SECONDS_PER_JOB, workers: int | None = None,
                 run_budget: float = RUN_BUDGET_SECONDS, start_seconds: float = START_SECONDS) -> None:
        self.seconds_per_job = seconds_per_job
        self.budget = _Budget(run_budget)
        self._broke = False
        count = workers if workers is not None else min(_MAX_WORKERS, os.cpu_count() or 1)
        self._workers = [_Worker(seconds_per_job, self.budget, start_seconds) for _ in range(max(1, count))]
        self._idle = list(self._workers)  # the workers no run is using, in order
        self._idle_changed = threading.Condition()
        self._submitted: list[Submitted] = []  # the batches that may still be running

    def start(self) -> None:
        """Start the first worker now (it starts up while this process goes on), not at the first job."""
        self._workers[0]._ensure_started()

    def close(self) -> None:
        """Stop the workers (a batch still running, `submit`ted, ends cut short)."""
        for worker in self._workers:
            worker.stop()
        for submitted in self._submitted:
            submitted.join()
        self._submitted = []
        for worker in self._workers:
            worker.close()

    def __enter__(self) -> "BoundedMatcher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def overran(self) -> bool:
        """Whether a search of this matcher overran its time bound (or was cut short) or broke (`SearchResult.broke`):
        what such a search found depends on the machine's load."""
        return self.budget.overruns > 0 or self._broke

    def submit(self, jobs: Sequence[SearchJob | PairsJob]) -> "Submitted":
        """Start `run(jobs)` in a thread of this process and return at once: the caller goes on with other
        work while the workers search (the thread only feeds them and waits). A batch submitted after it
        runs after it; a `run` meanwhile uses the workers the batch running leaves idle (it may come before one still queued)."""
        self._submitted = [earlier for earlier in self._submitted if earlier.running]
        submitted = Submitted(self, jobs, after=self._submitted[-1] if self._submitted else None)
        self._submitted.append(submitted)
        return submitted

    def run(self, jobs: Sequence[SearchJob | PairsJob]) -> list[SearchResult]:
        """Run every job; a job that overruns its time bound gets `timed_out=True`. Results are in job order.
        Runs in several threads at once (a `submit`ted batch and a question) each use workers the others leave
        idle: a question asked while a batch runs in the first worker is answered by the second."""
        if not jobs:
            return []
        weight = sum(_MIN_JOBS_PER_SHARE if isinstance(job, CandidatesJob) else 1 for job in jobs)
        workers = self._take_workers(max(1, min(len(self._workers), len(jobs), weight // _MIN_JOBS_PER_SHARE)))
        try:
            return self._run(jobs, workers)
        finally:
            with self._idle_changed:
                self._idle = [worker for worker in self._workers if worker in workers or worker in self._idle]
                self._idle_changed.notify_all()

    def _take_workers(self, wanted: int) -> list[_Worker]:
        """Up to `wanted` idle workers, the first ones first; waits for one when none is idle."""
        with self._idle_changed:
            while not self._idle:
                self._idle_changed.wait()
            taken, self._idle = self._idle[:wanted], self._idle[wanted:]
            return taken

    def _run(self, jobs: Sequence[SearchJob | PairsJob], workers: list[_Worker]) -> list[SearchResult]:
        size = max(1, -(-len(jobs) // len(workers)))
        chunks = [_texts_sent_ahead(jobs[start:start + size]) for start in range(0, len(jobs), size)]
        if len(chunks) <= 1:
            parts = [workers[0].run(chunk) for chunk in chunks]
        else:
            from concurrent.futures import ThreadPoolExecutor  # here: a run of one share (a `kbtool match`) does without

            with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
                parts = list(pool.map(lambda pair: pair[0].run(pair[1]), zip(workers, chunks)))
        results = [result for chunk, part in zip(chunks, parts) for job, result in zip(chunk, part) if not isinstance(job, TextsJob)]
        if any(result.broke for result in results):  # set, never reset: two runs may end at once
            self._broke = True
        return results


def _texts_sent_ahead(jobs: Sequence[SearchJob | PairsJob | CandidatesJob]) -> list[SearchJob | PairsJob | CandidatesJob | TextsJob]:
    """One worker's share of jobs, its CandidatesJobs sent without their texts: the texts go ahead of the first job
    that has them, in `TextsJob`s, for the worker to keep. (A worker started anew after one was killed does not have
    them: its CandidatesJobs without texts come back unanswered, to be looked up in this process.)"""
    sent: list[SearchJob | PairsJob | CandidatesJob | TextsJob] = []
    kept = None
    for job in jobs:
        if isinstance(job, CandidatesJob) and job.texts is not None:
            if job.texts is not kept:
                kept = job.texts
                sent += [TextsJob(kept[start:start + _TEXTS_PER_PART], first=start == 0)
                         for start in range(0, max(len(kept), 1), _TEXTS_PER_PART)]
            job = job._replace(texts=None)
        sent.append(job)
    return sent


def candidate_parts(count: int, most: int) -> list[range]:
    """The numbers of `count` regexes split for `CandidatesJob`s of at most `most` regexes each (one literal index
    each): as many for each of two workers when there are enough to be worth a second worker, else whole."""
    parts = -(-count // most)
    if count >= 2 * _MIN_JOBS_PER_SHARE:
        parts = max(2, parts + parts % 2)
    size = max(1, -(-count // parts)) if parts else 1
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


class Submitted:
    """A batch of jobs being run by a thread (`BoundedMatcher.submit`)."""

    def __init__(self, matcher: BoundedMatcher, jobs: Sequence[SearchJob | PairsJob], after: "Submitted | None" = None) -> None:
        self._results: list[SearchResult] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(matcher, jobs, after), name="kbtool-regex-batch", daemon=True)
        self._thread.start()

    def _run(self, matcher: BoundedMatcher, jobs: Sequence[SearchJob | PairsJob], after: "Submitted | None") -> None:
        try:
            if after is not None:  # batches run in the order they were submitted
                after.join()
            self._results = matcher.run(jobs)
        except BaseException as error:  # handed to the thread that asks for the results
            self._error = error

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def join(self) -> None:
        self._thread.join()

    def result(self) -> list[SearchResult]:
        """The results, in job order, once every job has run (what `run` would have returned, or raised);
        handed over, not kept (asked once)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        results, self._results = self._results, None
        return results
