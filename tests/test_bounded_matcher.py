"""The bounded matcher: untrusted regexes run in a worker under a time bound, and a run always finishes."""

from __future__ import annotations

import re

import pytest

from kbtool.regex.matcher import BoundedMatcher, CandidatesJob, SearchJob
from kbtool.regex import matcher as matcher_module, search
from kbtool.regex.search import CPU_TIMER, TextsJob


def test_a_catastrophic_job_times_out_and_the_next_jobs_still_run():
    with BoundedMatcher(seconds_per_job=0.3) as matcher:
        results = matcher.run([SearchJob("(a+)+$", ("a" * 40 + "!",)), SearchJob("b+", ("abc", "xyz")),
                               SearchJob("(a+)+$", ("a" * 40 + "!",)), SearchJob("[", ("x",))])
    assert results[0].timed_out and results[0].matches == (None,)
    assert results[1].matches == (True, False) and not results[1].timed_out
    assert results[2].timed_out
    assert results[3].error and results[3].matches == (None,)


def test_results_keep_the_order_of_the_jobs_across_many_jobs():
    jobs = [SearchJob(f"x{index}y", (f"x{index}y", f"x{index + 1}y")) for index in range(300)]
    with BoundedMatcher() as matcher:
        results = matcher.run(jobs)
    assert [result.matches for result in results] == [(True, False)] * 300


def test_an_analysing_job_returns_the_static_analysis_made_from_the_same_parse():
    with BoundedMatcher() as matcher:
        safe, broken = matcher.run([SearchJob("Cannot convert '[^']+' to float16", ("Cannot convert 'x' to float16",),
                                              analyse=True),
                                    SearchJob("(unclosed", ("x",), analyse=True)])
    assert safe.matches == (True,) and safe.analysis.shape is None
    assert safe.analysis.literal_sets[0] == frozenset({"cannot convert '"})
    assert broken.error and broken.analysis.literal_sets == ()


def test_an_analysing_job_with_a_catastrophic_regex_times_out_and_has_no_analysis():
    with BoundedMatcher() as matcher:
        [result] = matcher.run([SearchJob("(a+)+$", ("a" * 40 + "!",), analyse=True)])
    assert result.timed_out and result.analysis is None


def test_a_large_batch_is_shared_between_workers_and_keeps_job_order():
    jobs = [SearchJob(f"op {index}$", (f"op {index}", f"op {index + 1}")) for index in range(1500)]
    jobs[1200] = SearchJob("(a+)+$", ("a" * 40 + "!",))
    with BoundedMatcher(seconds_per_job=0.3, workers=2) as matcher:
        results = matcher.run(jobs)
    assert len(results) == 1500
    assert results[1200].timed_out
    assert all(results[index].matches == (True, False) for index in range(1500) if index != 1200)


WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot")


def _holding(jobs: list[CandidatesJob], texts: tuple[str, ...]) -> list[list[tuple[int, int]]]:
    """Each job's (regex, text) pairs as a plain scan finds them: the text holds the regex's one required string."""
    return [sorted((regex, number) for regex, (options,) in enumerate(job.literal_sets)
                   for number, text in enumerate(texts) if any(option in text for option in options)) for job in jobs]


def _pairs(result) -> list[tuple[int, int]]:
    return sorted(zip(*result.candidates))


@pytest.mark.parametrize("workers", [1, 2])
def test_the_texts_shared_by_candidate_jobs_reach_every_worker_and_a_new_batch_brings_its_own(workers, monkeypatch):
    """CandidatesJobs that share one texts object are sent them once per worker, ahead, in parts (here of 4 texts)
    that the worker keeps: each job still finds exactly the pairs of its own regexes, and a later batch with other
    texts finds those of its texts, not of the texts kept."""
    monkeypatch.setattr(matcher_module, "_TEXTS_PER_PART", 4)
    first = tuple(f"{word} failed at step {number}" for number, word in enumerate(WORDS * 3))
    second = tuple(f"{word} came back" for word in reversed(WORDS))
    with BoundedMatcher(workers=workers) as matcher:
        for texts in (first, second, first):
            jobs = [CandidatesJob(((frozenset({word}),), (frozenset({other}),)), (None, None), texts)
                    for word, other in zip(WORDS, WORDS[1:] + WORDS[:1])]
            results = matcher.run(jobs)
            assert [_pairs(result) for result in results] == _holding(jobs, texts)
            assert all(_pairs(result) for result in results)


def test_candidate_jobs_after_a_job_that_overran_still_find_their_pairs():
    """A job stopped by its CPU bound leaves its worker running with the texts it keeps: the CandidatesJobs after it
    find their pairs."""
    texts = tuple(f"{word} failed" for word in WORDS)
    jobs = [CandidatesJob(((frozenset({word}),),), (None,), texts) for word in WORDS]
    with BoundedMatcher(seconds_per_job=0.3, workers=1) as matcher:
        results = matcher.run([jobs[0], SearchJob("(a+)+$", ("a" * 40 + "!",)), *jobs[1:]])
    assert len(results) == len(WORDS) + 1 and results[1].timed_out
    assert [_pairs(result) for result in (results[0], *results[2:])] == _holding(jobs, texts) == [[(0, n)] for n in range(len(WORDS))]


def test_a_worker_that_missed_the_first_part_of_the_texts_answers_no_candidate_job_without_texts(monkeypatch):
    """A worker started anew after one was killed gets the parts of the texts that were not sent yet, not the first:
    it keeps nothing, and a CandidatesJob without texts comes back unanswered (the caller looks it up itself), never
    with the pairs of part of the texts. Run here, as the worker runs them."""
    monkeypatch.setattr(search, "_texts_kept", None)
    job = CandidatesJob(((frozenset({"alpha"}),),), (None,), None)
    search._search_all(TextsJob(("alpha failed",), first=False), 5.0, 5.0)
    assert search._search_all(job, 5.0, 5.0).candidates is None
    for part in (TextsJob(("bravo failed",), first=True), TextsJob(("alpha failed", "alpha again"), first=False)):
        search._search_all(part, 5.0, 5.0)
    assert _pairs(search._search_all(job, 5.0, 5.0)) == [(0, 1), (0, 2)]


def test_workers_exit_when_their_parent_is_killed(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, time\n"
        "from kbtool.regex.matcher import BoundedMatcher, SearchJob\n"
        "matcher = BoundedMatcher(workers=2)\n"
        "matcher.run([SearchJob('x', ('x',))] * 2000)\n"
        "print(' '.join(str(worker._process.pid) for worker in matcher._workers), flush=True)\n"
        "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    worker_pids = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(worker_pids) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 10
    alive = worker_pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in worker_pids if _running(pid)]
    assert alive == []


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_a_search_that_breaks_or_overruns_makes_the_matcher_say_it_overran():
    """What such a search found depends on the machine, not the pattern: a run that met one remembers
    nothing across records (kbtool.remembered). A pattern that does not compile is not such a search."""
    with BoundedMatcher(seconds_per_job=5) as matcher:
        first, second = matcher.run([SearchJob("(", ("a",)), SearchJob("a", ("a",))])
        assert first.error and not first.broke and second.matches == (True,)
        assert not matcher.overran
        broken, = matcher.run([SearchJob("a", (b"a",))])  # the search itself raises (a bytes text)
        assert broken.error and broken.broke
        assert matcher.overran
    with BoundedMatcher(seconds_per_job=0.2) as matcher:
        slow, = matcher.run([SearchJob("(a+)+$", ("a" * 40 + "!",))])
        assert slow.timed_out and matcher.overran
    with BoundedMatcher() as matcher:
        matcher.budget.spend(0.0)  # a job that overran, answered in the same read as the one before it: no wall time of its own
        assert matcher.overran


def test_a_worker_started_ahead_and_left_waiting_past_its_start_bound_still_runs_the_jobs():
    """`kbtool match` starts its worker while it reads the catalog, which takes minutes for a large KB
    read for the first time; a spare started after a kill may wait as long. The worker's start bound
    counts from when a run begins to wait for it, and its ready signal is read however late."""
    import threading
    import time

    outcome: list = []
    with BoundedMatcher(start_seconds=2) as matcher:
        matcher.start()
        time.sleep(3)  # longer than the start bound: the worker has long been ready
        runner = threading.Thread(target=lambda: outcome.extend(matcher.run([SearchJob("b+", ("abc", "xyz"))])), daemon=True)
        runner.start()
        runner.join(60)  # not a speed limit: without the fix the run never ends
        assert not runner.is_alive(), "the run did not end"
    assert [result.matches for result in outcome] == [(True, False)]


def test_the_worker_started_ahead_is_the_one_the_first_matcher_takes():
    matcher_module.start_ahead()
    matcher_module.start_ahead()  # one is waiting: no second one
    assert len(matcher_module._AHEAD) == 1
    ahead = matcher_module._AHEAD[0]
    with BoundedMatcher() as matcher:
        matcher.start()
        assert matcher._workers[0]._process is ahead and not matcher_module._AHEAD
        assert [result.matches for result in matcher.run([SearchJob("b+", ("abc", "xyz"))])] == [(True, False)]
    with BoundedMatcher() as later:
        later.start()
        assert later._workers[0]._process.pid != ahead.pid


def test_a_submitted_batch_runs_while_the_caller_goes_on_and_gives_what_run_gives():
    jobs = [SearchJob(f"op {index}$", (f"op {index}", f"op {index + 1}")) for index in range(1200)]
    jobs[700] = SearchJob("(a+)+$", ("a" * 40 + "!",))
    with BoundedMatcher(seconds_per_job=0.3, workers=2) as matcher:
        submitted = matcher.submit(jobs)
        after = matcher.submit([SearchJob("c+", ("abc", "xyz"))] * 700)  # runs once the first is done
        meanwhile = matcher.run([SearchJob("b+", ("abc",))])  # the batch running holds both workers: waits for one
        results = submitted.result()
        assert [result.matches for result in after.result()] == [(True, False)] * 700
        again = matcher.run(jobs)
    assert meanwhile[0].matches == (True,)
    assert [(result.matches, result.timed_out) for result in results] == [(result.matches, result.timed_out) for result in again]
    assert results[700].timed_out and results[0].matches == (True, False)


def test_a_question_asked_while_a_submitted_batch_holds_the_first_worker_is_answered_by_the_second():
    slow = [SearchJob("(a+)+$", ("a" * 40 + "!",), seconds=5.0) for _ in range(4)]  # 20 s of searching, in one share
    matcher = BoundedMatcher(workers=2, run_budget=1000.0)
    try:
        submitted = matcher.submit(slow)
        answer = matcher.run([SearchJob("b+", ("abc", "xyz"))] * 3)
        assert submitted.running  # answered before the batch ended, not after it
        assert [result.matches for result in answer] == [(True, False)] * 3
    finally:
        matcher.close()
    assert all(result.timed_out for result in submitted.result())


def test_a_run_of_no_jobs_returns_at_once_while_every_worker_is_busy():
    matcher = BoundedMatcher(workers=1, run_budget=1000.0)
    try:
        submitted = matcher.submit([SearchJob("(a+)+$", ("a" * 40 + "!",), seconds=5.0)] * 2)
        assert matcher.run([]) == []
        assert submitted.running
    finally:
        matcher.close()


def test_closing_the_matcher_ends_a_submitted_batch_at_once_and_a_later_run_starts_afresh():
    import time

    jobs = [SearchJob("(a+)+$", ("a" * 40 + "!",), seconds=5.0) for _ in range(20)]  # 100 s of searching
    matcher = BoundedMatcher(workers=1, run_budget=1000.0)  # a budget that the batches would never use up
    submitted, waiting = matcher.submit(jobs), matcher.submit(jobs)
    time.sleep(0.5)
    matcher.close()
    results = submitted.result()
    # The job running when the matcher closed was stopped, and none of the others ran, nor the batch after.
    assert all(result.timed_out for result in results) and sum(result.cut_short for result in results) >= 19
    assert all(result.cut_short for result in waiting.result())
    with matcher:
        assert matcher.run([SearchJob("b+", ("abc",))])[0].matches == (True,)


def test_a_job_tries_a_first_text_that_does_not_match_again_ignoring_case_under_a_bound_of_its_own():
    slow_ignoring_case = "(?:ab|AB)+$"  # two ways to read each "ab" only when case is ignored: exponential then
    with BoundedMatcher(seconds_per_job=0.3) as matcher:
        differs, matches, neither, slow = matcher.run([
            SearchJob("CUDA out of memory", ("cuda out of memory", "CUDA out of memory"), first_ignoring_case=True),
            SearchJob("CUDA out of memory", ("CUDA out of memory",), first_ignoring_case=True),
            SearchJob("CUDA out of memory", ("disk full",), first_ignoring_case=True),
            SearchJob(slow_ignoring_case, ("ab" * 40 + "!",), first_ignoring_case=True)])
    assert differs.matches == (False, True) and differs.first_ignoring_case is True
    assert matches.matches == (True,) and matches.first_ignoring_case is None
    assert neither.matches == (False,) and neither.first_ignoring_case is False
    assert slow.matches == (False,) and not slow.timed_out  # the search itself finished: its answer is kept
    assert slow.first_ignoring_case is None and slow.ignoring_case_timed_out


@pytest.mark.parametrize("pattern, text", [
    ("temperature k", "TEMPERATURE \u212a"), ("(?i)x", "X"), ("ſtraße", "STRASSE"), ("İstanbul", "istanbul"),
    ("[a-z]+ error", "VALUE ERROR"), (r"(?x) a b  # spaced", "AB"), ("(?-i:a)b", "AB"), ("ǅ", "ǆ"),
    ("No module named '(?:torch|jax)'", "no module named 'numpy'"), ("No module named '(?:torch|jax)'", "NO MODULE NAMED 'JAX'"),
])
def test_ignoring_case_answers_as_re_does(pattern, text):
    """The search ignoring case compiles the parse already made for the analysis: it answers as re.compile does."""
    with BoundedMatcher() as matcher:
        [result] = matcher.run([SearchJob(pattern, (text,), analyse=True, first_ignoring_case=True)])
    if re.search(pattern, text):
        assert result.matches == (True,) and result.first_ignoring_case is None
    else:
        assert result.matches == (False,) and result.first_ignoring_case == bool(re.search(pattern, text, re.IGNORECASE))


@pytest.mark.skipif(not CPU_TIMER, reason="the bound is a CPU-time timer")
def test_compiling_the_pattern_ignoring_case_counts_in_the_bound_of_that_search():
    """The search ignoring case arms its own bound before it compiles the pattern: compiling 50 classes of almost
    every character ignoring case takes a large part of a second, far past a bound of a millisecond, and is
    reported as overrunning it (an answer not known, so not kept by the cache), not as a pattern that cannot be
    compiled. (Run here as the worker runs it, with the worker's handler of the timer.)"""
    import signal

    from kbtool.regex import search
    from kbtool.regex.literals import parse

    pattern = "[a-\uffff]" * 50 + "z"
    job = SearchJob(pattern, ("b" * 50 + "Z",), analyse=True, first_ignoring_case=True)
    before = signal.signal(signal.SIGVTALRM, search._on_cpu_limit)
    try:
        assert search._first_ignoring_case(job, parse(pattern), 0.001) == (None, True)
        assert search._first_ignoring_case(job, None, 0.001) == (None, True)  # from the pattern's text, too
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, before)


def test_closing_the_matcher_right_after_a_submit_cuts_the_batch_short_while_its_worker_starts():
    jobs = [SearchJob("(a|aa)+$", ("a" * 40 + "b",)) for _ in range(5)]  # a second each
    matcher = BoundedMatcher(workers=1)
    submitted = matcher.submit(jobs)
    matcher.close()  # the batch's worker is most likely still starting
    assert [(result.timed_out, result.cut_short) for result in submitted.result()] == [(True, True)] * 5
    assert not matcher.overran  # closing spends none of the budget for slow searches


def test_a_worker_keeps_the_regex_it_analysed_compiled_for_the_searches_that_follow(monkeypatch):
    """The job that analyses a regex compiles it from its parse and keeps it: a later search of the same regex
    compiles nothing (here: in this process, as the worker runs jobs), and gives the answers of `re`; the
    oldest compiled regex is let go of when the worker holds COMPILED_CACHE_SIZE of them."""
    monkeypatch.setattr(search, "_COMPILED", {})
    monkeypatch.setattr(search, "COMPILED_CACHE_SIZE", 2)
    analysed = search.run_limited(SearchJob(r"(?i)cuda error: (\w+)", ("CUDA error: launch",), analyse=True), 5, 5)
    assert analysed.matches == (True,) and analysed.analysis.literal_sets
    compiled = []
    monkeypatch.setattr(search, "compile_error", lambda pattern, flags=0: compiled.append(pattern))
    again = search.run_limited(SearchJob(r"(?i)cuda error: (\w+)", ("cuda ERROR: x", "no")), 5, 5)
    assert again.matches == (True, False) and compiled == []
    search.run_limited(SearchJob("a+b", ("aab",)), 5, 5)
    search.run_limited(SearchJob("c+d", ("cd",)), 5, 5)
    assert compiled == ["a+b", "c+d"] and list(search._COMPILED) == [("a+b", 0), ("c+d", 0)]


@pytest.mark.skipif(not CPU_TIMER, reason="searched beside the own texts only under the CPU-time timer")
@pytest.mark.parametrize("own", ["ERROR 1: CUDA OUT OF MEMORY. TRIED TO ALLOCATE 2", "Error 1: CUDA out of memory. Tried to allocate 2",
                                 "an own text"])  # matched only ignoring case, matched, neither (each way a job ends)
@pytest.mark.parametrize("pattern", [r".*", r"Err(?:or)?\b", r"(?i)fatal", r"ValueError: ", r"\w+Error: .{10,}", r"^Killed$",
                                     r"CUDA out of memory\. Tried to allocate \d+", r"(?:torch|jax) is not installed"])
def test_a_job_searches_the_texts_that_name_no_error_beside_the_regexs_own(pattern, own):
    """With `generic`, the worker also searches the generic texts (the regex compiled once), and says which it matches
    first: what a search of them in a job of their own says; the search of its own texts (and again ignoring case)
    answers as without."""
    from kbtool.regex.generic import SEARCHED

    with BoundedMatcher() as matcher:
        [result, without] = matcher.run([SearchJob(pattern, (own,), analyse=True, first_ignoring_case=True, generic=generic)
                                         for generic in (True, False)])
    assert result.generic == next((number for number, text in enumerate(SEARCHED) if re.search(pattern, text)), -1)
    assert result._replace(generic=None) == without and without.generic is None


def test_a_job_with_a_catastrophic_shape_leaves_the_generic_texts_unsearched():
    with BoundedMatcher(seconds_per_job=0.3) as matcher:
        [result] = matcher.run([SearchJob("(a+)+$", ("aaa",), analyse=True, generic=True)])
    assert result.matches == (True,) and result.analysis.shape and result.generic is None


@pytest.mark.skipif(not CPU_TIMER, reason="the bound is a CPU-time timer")
def test_the_generic_texts_searched_past_the_bound_leave_the_answer_unknown():
    """The generic texts are searched under what is left of the job's bound, after its own texts: when it runs out, the
    answer is None (the caller searches them in a job of their own), not an error. (Run as the worker runs it.)"""
    import signal

    from kbtool.regex.shapes import analyse_regex

    slow = re.compile(r"(?:\w|\w)*!")  # exponential on "DeprecationWarning" and the other long names among the texts
    before = signal.signal(signal.SIGVTALRM, search._on_cpu_limit)
    try:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0.01)
        assert search._generic_hit(slow, analyse_regex("Error")) is None  # ("error" is in the texts: they are searched)
        signal.setitimer(signal.ITIMER_VIRTUAL, 60)  # a search that finishes stops the timer: the rest of the job cannot overrun
        assert search._generic_hit(re.compile("Error"), analyse_regex("Error")) == 1
        assert signal.getitimer(signal.ITIMER_VIRTUAL) == (0.0, 0.0)
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, before)
