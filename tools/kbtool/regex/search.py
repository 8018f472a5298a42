"""One search job, and the worker process that runs them: the side of `kbtool.regex.matcher` that
runs untrusted regexes.

The worker is a fresh interpreter (`python -c`, started by `matcher`; never a fork of a process
that may run threads) that imports only this module and what it needs. It reads jobs from its
standard input and writes results to its standard output, each as a length-prefixed pickle, and
writes one "ready" frame once it is imported, so that the parent starts a job's clock only when
the worker can run it. A CPU-time timer stops a job in the worker after its CPU seconds where the
regex engine checks for signals; the parent's watchdog kills the worker when a job overruns its
wall-clock deadline, whatever the regex does.
"""

from __future__ import annotations

import os
import pickle
import re
import signal
import struct
import sys
import warnings
from array import array
from re import _compiler as _re_compiler
from typing import TYPE_CHECKING, Any, NamedTuple

from kbtool.regex.literals import may_match_ignoring_case, parse

if TYPE_CHECKING:  # the static analysis is imported by the first job that asks for it: `kbtool match` asks none
    from kbtool.regex.shapes import RegexAnalysis

#: Seconds one regex may spend on all the texts of one job.
DEFAULT_SECONDS_PER_JOB = 1.0
#: The bound for a regex that the static analysis already found catastrophic: there is no point
#: in waiting long for it (it is reported anyway), and a KB full of them must still lint quickly.
CATASTROPHIC_SECONDS_PER_JOB = 0.1
#: Regexes longer than this are not compiled (the schema also caps them).
MAX_PATTERN_LENGTH = 5000

FRAME_HEADER = struct.Struct(">Q")
READY = b"ready"


class SearchJob(NamedTuple):
    """Search each of `texts` with `pattern` (compiled with `flags`)."""

    pattern: str
    texts: tuple[str, ...]
    flags: int = 0
    seconds: float | None = None  # this job's time bound; None: the matcher's `seconds_per_job`
    #: Also make the static analysis (`analyse_regex`) from the same parse as the compilation, and
    #: return it; when it finds a catastrophic shape and `seconds` is None, the job gets
    #: `CATASTROPHIC_SECONDS_PER_JOB`.
    analyse: bool = False
    #: Also return where each text matched (`SearchResult.spans`).
    spans: bool = False
    #: When the first text does not match, search it again ignoring case (`SearchResult.first_ignoring_case`),
    #: under a CPU bound of its own as large as the job's (the catastrophic one when the analysis found a
    #: catastrophic shape): the two searches stay within the watchdog's deadline, WALL_FACTOR times the bound.
    first_ignoring_case: bool = False
    #: With `analyse`, when the analysis finds no catastrophic shape and the platform has the CPU timer: also search the
    #: empty string and the texts that name no error (`kbtool.regex.generic.SEARCHED`, where `needs_generic_search`),
    #: for `regex-too-broad`, under what is left of the job's bound (`SearchResult.generic`): the regex is compiled here.
    generic: bool = False


class PairsJob(NamedTuple):
    """Search `texts[t]` with `patterns[p]` (compiled with `flags`) for each (p, t) of `pairs`: many small
    searches in one job, under one time bound for them all. Its `SearchResult` has `matches` and
    `spans` by pair; a job that overran or met a pattern that does not compile tells nothing about
    any pair (the caller searches them again one pattern at a time, to name the culprit)."""

    patterns: tuple[str, ...]
    texts: tuple[str, ...]
    pairs: tuple[tuple[int, int], ...]
    flags: int = 0
    seconds: float | None = None  # the bound of the whole job; None: the matcher's `seconds_per_job`


class CandidatesJob(NamedTuple):
    """Which of `texts` (folded: `fold`) each regex could match, told by the literal index of the regexes
    (`kbtool.regex.index.LiteralIndex`, from their required literal sets and literal filters): work of the
    main process done in a worker, beside it. Its `SearchResult` has `candidates`; `matches` says nothing."""

    literal_sets: tuple[tuple[frozenset[str], ...], ...]
    filters: tuple
    texts: tuple[str, ...] | None  # sent ahead of the job, in `TextsJob`s (`BoundedMatcher`): the worker reads those it keeps
    seconds: float | None = None  # the bound of the whole job; None: the matcher's `seconds_per_job`


class TextsJob(NamedTuple):
    """A part of the texts that a worker keeps for the `CandidatesJob`s sent after it without texts: `BoundedMatcher`
    sends the texts that its CandidatesJobs share once to each worker, in parts (a lint of 100,000 records sends its
    messages so rather than once per job, and never as one large message, which would leave a thread of this process
    holding as much memory). Its `SearchResult` says nothing."""

    texts: tuple[str, ...]
    first: bool  # the first part: the texts kept before are dropped
    seconds: float | None = None


class SearchResult(NamedTuple):
    """`matches[i]` is whether `texts[i]` matched; all None when the job failed."""

    matches: tuple[bool | None, ...]
    error: str | None = None  # the pattern does not compile
    timed_out: bool = False
    analysis: RegexAnalysis | None = None  # with `SearchJob.analyse`, unless the job timed out
    #: Not run, or stopped early, because the run's time budget for regexes was used up by slower ones.
    cut_short: bool = False
    #: With `SearchJob.spans`: (start, end) of the match in each text, None where it did not match.
    spans: tuple[tuple[int, int] | None, ...] | None = None
    #: The search failed for a reason other than the pattern (running out of memory, say): its `error`
    #: depends on the machine, not on the pattern.
    broke: bool = False
    #: With `SearchJob.first_ignoring_case`, whether the first text matched ignoring case, when it did not
    #: otherwise (None: it did match, or the search ignoring case did not finish: `ignoring_case_timed_out`).
    first_ignoring_case: bool | None = None
    ignoring_case_timed_out: bool = False
    #: Of a `CandidatesJob`: the candidate (regex, text) pairs, as two arrays of numbers, in the texts' order.
    candidates: tuple[array, array] | None = None
    #: With `SearchJob.generic`: the position in `kbtool.regex.generic.SEARCHED` of the first text the regex matches (-1:
    #: none, or none can be: `needs_generic_search`); None when not searched (a catastrophic shape, no CPU timer, or the
    #: bound ran out).
    generic: int | None = None


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
    """(compiled pattern, static analysis, parse tree) from one parse of the pattern, or None when that fails."""
    tree = parse(job.pattern, job.flags)
    if tree is None:
        return None
    from kbtool.regex.shapes import analysis_of_tree

    analysis = analysis_of_tree(tree)
    try:  # compile the tree just analysed: the same steps as re.compile, without parsing again
        compiled = _re_compiler.compile(tree, job.flags)
    except Exception:
        return None
    _keep((job.pattern, job.flags), (compiled, None))  # for the searches of the same regex that follow
    return compiled, analysis, tree


#: Compiled patterns the worker keeps: a KB's regexes are searched again and again (in rounds of texts,
#: one query after another), and `re`'s own cache holds only 512, far fewer than a KB has.
COMPILED_CACHE_SIZE = 20_000
_COMPILED: dict[tuple[str, int], tuple[re.Pattern | None, str | None]] = {}


def _compiled(pattern: str, flags: int) -> tuple[re.Pattern | None, str | None]:
    """(compiled pattern, None), or (None, why it does not compile)."""
    found = _COMPILED.get((pattern, flags))
    if found is None:
        error = compile_error(pattern, flags)
        found = _keep((pattern, flags), (None, error) if error is not None else (re.compile(pattern, flags), None))
    return found


def _keep(key: tuple[str, int], compiled: tuple[re.Pattern | None, str | None]) -> tuple[re.Pattern | None, str | None]:
    """Keep `compiled` in `_COMPILED`, letting go of the oldest when it is full."""
    if len(_COMPILED) >= COMPILED_CACHE_SIZE:
        del _COMPILED[next(iter(_COMPILED))]
    _COMPILED[key] = compiled
    return compiled


#: Where the platform has a CPU-time timer, the worker stops a job itself after the job's CPU
#: seconds (the regex engine checks for signals while it backtracks), so that a busy machine does
#: not turn slow scheduling into false timeouts. The parent's wall-clock watchdog holds where the
#: engine does not check (a long scan inside one opcode) and where there is no such timer.
CPU_TIMER = hasattr(signal, "setitimer") and hasattr(signal, "ITIMER_VIRTUAL") and hasattr(signal, "SIGVTALRM")


def _search_pairs(job: PairsJob) -> SearchResult:
    compiled = []
    for pattern in job.patterns:
        pattern_compiled, error = _compiled(pattern, job.flags)
        if error is not None:
            return SearchResult((), error=error)
        compiled.append(pattern_compiled.search)
    found = [compiled[pattern](job.texts[text]) for pattern, text in job.pairs]
    return SearchResult(tuple(match is not None for match in found),
                        spans=tuple(match.span() if match is not None else None for match in found))


#: The texts of this worker's `TextsJob`s since the last first part; None when that part was not received (the
#: worker started after it was sent): then the CandidatesJobs without texts are not answered.
_texts_kept: list[str] | None = None


def _keep_texts(job: TextsJob) -> SearchResult:
    global _texts_kept
    kept = [] if job.first else _texts_kept
    _texts_kept = None  # kept again only once this part is added whole (a part cut short by its bound leaves none)
    if kept is not None:
        kept += job.texts
        _texts_kept = kept
    return SearchResult(())


def _candidates(job: CandidatesJob) -> SearchResult:
    from kbtool.regex.index import LiteralIndex  # only the workers that are asked import the automaton
    if _texts_kept is None:
        return SearchResult(())
    index = LiteralIndex(job.literal_sets, job.filters)
    regexes, texts = array("l"), array("l")
    for text, folded in enumerate(_texts_kept):
        for regex in index.candidates(folded):
            regexes.append(regex)
            texts.append(text)
    return SearchResult((), candidates=(regexes, texts))


def _search_all(job: SearchJob | PairsJob | CandidatesJob | TextsJob, catastrophic_seconds: float, cpu_seconds: float) -> SearchResult:
    if isinstance(job, PairsJob):
        return _search_pairs(job)
    if isinstance(job, CandidatesJob):
        return _candidates(job)
    if isinstance(job, TextsJob):
        return _keep_texts(job)
    analysis = tree = None
    prepared = _compiled_and_analysed(job) if job.analyse else None
    if prepared is not None:
        compiled, analysis, tree = prepared
        if analysis.shape and job.seconds is None and CPU_TIMER:
            signal.setitimer(signal.ITIMER_VIRTUAL, catastrophic_seconds)
    else:
        compiled, error = _compiled(job.pattern, job.flags)
        if job.analyse:
            from kbtool.regex.shapes import RegexAnalysis, analyse_regex
        if error is not None:
            return SearchResult(tuple(None for _ in job.texts), error=error,
                                analysis=RegexAnalysis(None, ()) if job.analyse else None)
        if job.analyse:
            analysis = analyse_regex(job.pattern)
    if job.spans:
        found = [compiled.search(text) for text in job.texts]
        return SearchResult(tuple(match is not None for match in found), analysis=analysis,
                            spans=tuple(match.span() if match is not None else None for match in found))
    matches = tuple(compiled.search(text) is not None for text in job.texts)
    generic = _generic_hit(compiled, analysis) if job.generic and CPU_TIMER and analysis is not None and not analysis.shape else None
    if job.first_ignoring_case and matches and not matches[0]:
        if tree is not None and not may_match_ignoring_case(analysis.literal_filter, job.texts[0]):
            return SearchResult(matches, analysis=analysis, first_ignoring_case=False, generic=generic)  # its words are not there in any case
        again, timed_out = _first_ignoring_case(job, tree, catastrophic_seconds if analysis is not None and analysis.shape else cpu_seconds)
        return SearchResult(matches, analysis=analysis, first_ignoring_case=again, ignoring_case_timed_out=timed_out, generic=generic)
    return SearchResult(matches, analysis=analysis, generic=generic)


def _generic_hit(compiled: re.Pattern, analysis: RegexAnalysis) -> int | None:
    """`SearchResult.generic` of a regex searched with its own texts, under what is left of the job's CPU bound (asked
    only where there is that timer); None when it runs out meanwhile: the search of its own texts stands, and the caller
    searches the generic texts again, in a job of their own. The timer is then stopped, so that it cannot run out in
    the rest of the job (which runs no regex but under a bound of its own) and take the answers found with it."""
    try:
        from kbtool.regex.generic import SEARCHED, first_hit, needs_generic_search

        hit = first_hit(compiled.search(text) is not None for text in SEARCHED) if needs_generic_search(analysis.literal_sets) else -1
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        return hit
    except _CpuLimit:
        return None


def _first_ignoring_case(job: SearchJob, tree, cpu_seconds: float) -> tuple[bool | None, bool]:
    """(whether the job's first text matches ignoring case, whether compiling and searching it so overran
    `cpu_seconds`); from the pattern's parse `tree` when there is one (the flags change how it is compiled,
    not how it parses)."""
    try:
        if CPU_TIMER:
            signal.setitimer(signal.ITIMER_VIRTUAL, cpu_seconds)  # a bound of its own, after the search above
        if tree is not None:
            try:
                compiled = _re_compiler.compile(tree, job.flags | re.IGNORECASE)
            except _CpuLimit:
                raise
            except Exception:  # as re.compile would refuse it
                return None, False
        else:
            compiled, error = _compiled(job.pattern, job.flags | re.IGNORECASE)
            if error is not None:
                return None, False
        return compiled.search(job.texts[0]) is not None, False
    except _CpuLimit:
        return None, True


class _CpuLimit(Exception):
    """Raised in the worker when a job has used up its CPU time."""


def _on_cpu_limit(signum, frame) -> None:  # runs in the worker
    raise _CpuLimit


def run_limited(job: SearchJob | PairsJob | CandidatesJob | TextsJob, cpu_seconds: float, catastrophic_seconds: float) -> SearchResult:
    """Run `job` with a CPU-time limit (where the platform has the timer)."""
    try:
        if CPU_TIMER:
            signal.setitimer(signal.ITIMER_VIRTUAL, cpu_seconds)
        try:
            return _search_all(job, min(cpu_seconds, catastrophic_seconds), cpu_seconds)
        finally:
            if CPU_TIMER:
                signal.setitimer(signal.ITIMER_VIRTUAL, 0)
    except _CpuLimit:
        return unanswered(job, timed_out=True)
    except Exception as error:  # a broken pattern must not kill the worker silently
        return unanswered(job, error=f"{type(error).__name__}: {error}", broke=True)


def unanswered(job: SearchJob | PairsJob | CandidatesJob | TextsJob, **why: Any) -> SearchResult:
    """The result of `job` when it did not run to its end (`why`: the SearchResult's fields that say why)."""
    return SearchResult(tuple(None for _ in job.texts or ()), **why)


def frame(payload: bytes) -> bytes:
    """`payload` with its length in front."""
    return FRAME_HEADER.pack(len(payload)) + payload


def _read_exactly(descriptor: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = os.read(descriptor, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when its parent dies, even in the middle of a regex."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # not Linux: the worker ends at the end of its standard input instead
        pass


def worker_main(parent_pid: int) -> None:
    """The worker's loop: (job, cpu seconds, catastrophic seconds) in, SearchResult out, until EOF."""
    _die_with_parent()
    if os.getppid() != parent_pid:  # the parent died before the request above took effect
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # Python's re only warns about constructs of other engines (POSIX classes, set operations) and
    # then reads them differently: make them errors, so that they are reported as regex-invalid.
    warnings.simplefilter("error", FutureWarning)
    if CPU_TIMER:
        signal.signal(signal.SIGVTALRM, _on_cpu_limit)
    jobs_in, results_out = sys.stdin.fileno(), sys.stdout.fileno()
    _write_all(results_out, frame(READY))
    while True:
        header = _read_exactly(jobs_in, FRAME_HEADER.size)
        if header is None:
            return
        payload = _read_exactly(jobs_in, FRAME_HEADER.unpack(header)[0])
        if payload is None:
            return
        job, cpu_seconds, catastrophic_seconds = pickle.loads(payload)
        result = run_limited(job, cpu_seconds, catastrophic_seconds)
        _write_all(results_out, frame(pickle.dumps(result, pickle.HIGHEST_PROTOCOL)))
