"""Quality gate of the line choice (kbtool/logs.py) on the hand-labelled real logs of tests/regex_eval/logs/.

The target is at least 28 of 30 in proportion (93%): 39 of the 41 logs.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

# loaded under its own name: tests/extract_eval/ has an evaluate.py too
_SPEC = importlib.util.spec_from_file_location("regex_eval_evaluate", Path(__file__).parent / "evaluate.py")
evaluate = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = evaluate
_SPEC.loader.exec_module(evaluate)


def test_the_set_has_at_least_30_real_logs_from_at_least_10_tools_each_labelled():
    labels = evaluate.log_labels()
    assert len(labels) >= 30
    assert len({label["tool"] for label in labels.values()}) >= 10
    assert sorted(path.name for path in evaluate.LOGS.glob("*.log")) == sorted(labels)
    assert all(label["accept"] for label in labels.values())


def test_line_choice_takes_an_accepted_line_from_at_least_93_percent_of_the_logs():
    score = evaluate.score_line_choice()
    assert score.right >= -(-28 * score.total // 30), "\n".join(score.mistakes)
