"""Scores of the generaliser and of the line choice on the hand-labelled sets of this folder.

    python tests/regex_eval/evaluate.py [-v]

Generaliser: a message is fully right when the regex written for it matches the message itself,
every variant of the same error, and none of the different errors. Line choice: a log is right
when the line taken from it is one of the lines its label accepts (compared without surrounding
spaces).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from kbtool.logs import choose_error_line
from kbtool.regex.generalise import message_to_regex

HERE = Path(__file__).resolve().parent
GENERALISER_SETS = sorted((HERE / "generaliser").glob("set_*.json"))
LOGS = HERE / "logs"


@dataclass
class Score:
    right: int = 0
    total: int = 0
    mistakes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.right / self.total if self.total else 1.0


def generaliser_cases() -> list[dict]:
    return [case for path in GENERALISER_SETS for case in json.loads(path.read_text(encoding="utf-8"))["cases"]]


def score_generaliser() -> Score:
    score = Score()
    for case in generaliser_cases():
        score.total += 1
        pattern = message_to_regex(case["message"])
        compiled = re.compile(pattern)
        problems = []
        if not compiled.search(case["message"]):
            problems.append("misses itself")
        problems += [f"misses variant {variant!r}" for variant in case["variants"] if not compiled.search(variant)]
        problems += [f"matches different {other!r}" for other in case["different"] if compiled.search(other)]
        if problems:
            score.mistakes.append(f"{case['id']} ({case['ecosystem']}): {pattern}\n    " + "\n    ".join(problems))
        else:
            score.right += 1
    return score


def log_labels() -> dict[str, dict]:
    return json.loads((LOGS / "labels.json").read_text(encoding="utf-8"))["logs"]


def score_line_choice() -> Score:
    score = Score()
    for name, label in sorted(log_labels().items()):
        score.total += 1
        chosen = choose_error_line((LOGS / name).read_text(encoding="utf-8")).line
        if chosen.strip() in {line.strip() for line in label["accept"]}:
            score.right += 1
        else:
            score.mistakes.append(f"{name} ({label['tool']}): took {chosen!r}\n    accepts {label['accept'][0]!r}")
    return score


def main() -> int:
    verbose = "-v" in sys.argv
    for title, score in (("generaliser: messages fully right", score_generaliser()),
                         ("line choice: logs right", score_line_choice())):
        print(f"{title}: {score.right} of {score.total} ({score.ratio:.1%})")
        if verbose:
            for mistake in score.mistakes:
                print("  " + mistake)
    return 0


if __name__ == "__main__":
    sys.exit(main())
