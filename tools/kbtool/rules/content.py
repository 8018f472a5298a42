"""Content: the advice a record gives is actually written down."""

from __future__ import annotations

from kbtool.findings import Problem, Severity
from kbtool.kb import as_dict, as_list, as_text
from kbtool.records import make_pointer
from kbtool.rules.base import rule

FAMILY = "content"


@rule(code="KB501", name="empty-dead-end-action", family=FAMILY, severity=Severity.ERROR,
      summary="A dead end's `action` is empty: the record says why a fix fails without saying which fix.",
      explanation="""
      A dead end warns users off a fix that does not work. Without its `action` the warning is
      useless: `why_fails` explains a failure of nothing. Write the fix that was tried, as an
      instruction (for example `Upgrade TensorFlow to the latest version`); the `why_fails`
      text usually tells what it was.
      """,
      fails='{"action": "", "why_fails": "Upgrading alone does not add the missing kernel."}',
      passes='{"action": "Upgrade TensorFlow to the latest version", "why_fails": "Upgrading alone does not add the missing kernel."}')
def empty_dead_end_action(record, context):
    for index, dead_end in enumerate(as_list(record.data.get("dead_ends"))):
        dead_end = as_dict(dead_end)
        if "action" in dead_end and not as_text(dead_end.get("action")).strip():
            yield Problem(make_pointer("dead_ends", index, "action"), f"dead end {index} has an empty action",
                          "write the fix that was tried (its why_fails text tells what it was)")
