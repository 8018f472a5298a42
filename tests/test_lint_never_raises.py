"""Property tests: lint never raises, whatever a record file holds.

Arbitrary bytes and arbitrary JSON values (and valid records with one field replaced by an arbitrary
JSON value, which reach deeper into the rules) go through the strict reader
(`records.parse_record_text`) and then every rule (`lint.check_knowledge_base`, all rules active,
with a base revision of arbitrary shape for the history rules, beside a valid record for the
cross-record rules), and every reporter. The only acceptable outcome is a list of findings.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from kbtool.findings import Finding, LintResult
from kbtool.kb import KnowledgeBase
from kbtool.filters import active_rules
from kbtool.lint import check_knowledge_base
from kbtool.records import RecordFile, parse_record_text
from kbtool.regex.matcher import BoundedMatcher
from kbtool.reporters import REPORTERS
from kbtool.revision import BaseRevision
from kbtool.rules import RULES
from kbtool.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
VALID_PATH = "entries/tensorflow/tflite-quantization-range.json"
VALID_TEXT = (REPO_ROOT / VALID_PATH).read_text(encoding="utf-8")
VALID = json.loads(VALID_TEXT)
TARGET_PATH = "entries/tensorflow/target.json"

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40))
json_values = st.recursive(json_scalars, lambda children: st.one_of(
    st.lists(children, max_size=5), st.dictionaries(st.text(max_size=12), children, max_size=5)), max_leaves=25)
record_keys = st.sampled_from(sorted(VALID) + ["workarounds_zh", "aliases", "transition_graph", "x_zh"])


@st.composite
def records_with_a_hostile_field(draw) -> dict:
    """A valid record with some fields (top-level or one level down) replaced by arbitrary JSON values."""
    record = json.loads(VALID_TEXT)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        key = draw(record_keys)
        value = draw(json_values)
        if isinstance(record.get(key), list) and record[key] and draw(st.booleans()):
            record[key][draw(st.integers(min_value=0, max_value=len(record[key]) - 1))] = value
        elif isinstance(record.get(key), dict) and record[key] and draw(st.booleans()):
            record[key][draw(st.sampled_from(sorted(record[key])))] = value
        else:
            record[key] = value
    return record


@st.composite
def mangled_record_bytes(draw) -> bytes:
    """The valid record's bytes with a slice replaced by arbitrary bytes."""
    raw = VALID_TEXT.encode("utf-8")
    start = draw(st.integers(min_value=0, max_value=len(raw)))
    end = draw(st.integers(min_value=start, max_value=min(len(raw), start + 40)))
    return raw[:start] + draw(st.binary(max_size=40)) + raw[end:]


@pytest.fixture(scope="module")
def matcher():
    with BoundedMatcher() as shared:
        yield shared


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("kb")


def lint_bytes(raw: bytes, base_data: dict, root: Path, matcher: BoundedMatcher) -> list[Finding]:
    target = RecordFile(path=root / TARGET_PATH, relative_path=TARGET_PATH)
    parse_record_text(target, raw)
    neighbour = RecordFile(path=root / VALID_PATH, relative_path=VALID_PATH)
    parse_record_text(neighbour, VALID_TEXT.encode("utf-8"))
    kb = KnowledgeBase(root=root, files=[target, neighbour])
    run_settings = Settings(root=root, today=dt.date(2026, 11, 23))
    assert len(active_rules(run_settings)) == len(RULES)
    base = BaseRevision(ref="main", commit="0" * 40, records={TARGET_PATH: base_data, VALID_PATH: VALID})
    findings = check_knowledge_base(kb, run_settings, matcher=matcher, base=base)
    result = LintResult(findings=findings, files=2, entries=sum(1 for record in kb.files if record.data is not None), root=root)
    for report in REPORTERS.values():
        report(result, io.StringIO())
    return findings


def assert_findings(findings: list[Finding]) -> None:
    assert isinstance(findings, list)
    for finding in findings:
        assert isinstance(finding, Finding) and finding.message and finding.line >= 1 and finding.column >= 1


PROPERTY = hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
base_records = st.one_of(st.just(VALID), records_with_a_hostile_field(), st.dictionaries(st.text(max_size=12), json_values, max_size=5))


@PROPERTY
@given(value=json_values, base_data=base_records)
def test_lint_never_raises_on_an_arbitrary_json_value(value, base_data, root, matcher):
    assert_findings(lint_bytes(json.dumps(value).encode("utf-8"), base_data, root, matcher))


@PROPERTY
@given(record=records_with_a_hostile_field(), base_data=base_records)
def test_lint_never_raises_on_a_record_with_hostile_fields(record, base_data, root, matcher):
    assert_findings(lint_bytes(json.dumps(record, ensure_ascii=False).encode("utf-8"), base_data, root, matcher))


@PROPERTY
@given(raw=st.one_of(st.binary(max_size=300), mangled_record_bytes()))
def test_lint_never_raises_on_arbitrary_bytes(raw, root, matcher):
    assert_findings(lint_bytes(raw, VALID, root, matcher))
