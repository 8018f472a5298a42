"""Structure: the file parses, matches the schema, and sits where its id says."""

from __future__ import annotations

from kbtool.findings import Problem, Severity
from kbtool.kb import ENTRIES_DIR
from kbtool.records import DUPLICATE_KEY, INVALID_JSON
from kbtool.rules.base import Example, rule

FAMILY = "structure"

#: The fields of a small clean record file, one per line: the scene of the examples about the file's text.
_RECORD_LINES = (
    '"id": "tensorflow/tflite-quantization-range"',
    '"signature": "ValueError: Quantization range (min, max) not supported for op \'CONV_2D\'"',
    '"signature_zh": "ValueError：操作\'CONV_2D\'不支持量化范围（最小值、最大值）"',
    '"regex": "Quantization range \\\\(min, max\\\\) not supported for op \'[^\']+\'"',
    '"domain": "tensorflow"',
    '"category": "build_error"',
    '"root_cause_zh": "校准数据未覆盖该操作的激活范围。"',
    '"dead_ends": [{"action": "Increase the number of calibration steps", "why_fails": "More steps of the same data do not widen the range."}]',
    '"workarounds": [{"action": "Calibrate with a representative dataset"}]',
    '"workarounds_zh": ["使用代表性数据集进行校准。"]',
    '"resolvable": "true"',
    '"verification_tier": "ai_generated"',
    '"first_seen": "2024-01-10"',
    '"last_confirmed": "2026-06-01"',
    '"last_updated": "2026-06-01"',
)


def _record_file(*extra_lines: str, last: str = "") -> str:
    """The text of that record file, with `extra_lines` (say, its root_cause) and `last` after its last field."""
    lines = (*_RECORD_LINES[:6], *extra_lines, *_RECORD_LINES[6:])
    return "{\n" + ",\n".join(f"  {line}" for line in lines) + last + "\n}\n"


#: Another error, as a change to the examples' base record: the second file of the examples across records.
_OTHER_RECORD = {
    "id": "tensorflow/tflite-converter-unsupported-op",
    "signature": "ConverterError: Quantization not supported for op 'Cumsum'. Op has no registered quantized kernel.",
    "regex": "Quantization not supported for op '[^']{1,100}'\\. Op has no registered quantized kernel",
    "error_code": "ETQU",
}


@rule(code="KB101", name=INVALID_JSON, family=FAMILY, severity=Severity.ERROR, scope="file",
      summary="The file is not valid UTF-8 JSON holding one object.",
      explanation="""
      Every record is one JSON object in a UTF-8 file. A file that does not parse cannot be
      checked at all, so nothing else is reported for it. Python's own parser accepts things
      that are not JSON (`NaN`, `Infinity`) and other tools reject them, so they are errors too,
      as are a byte-order mark, UTF-16, NUL bytes, trailing text after the object, nesting
      deeper than 64 levels, numbers too large for a float, and files over 2 MiB (refused unread).
      Symbolic links and directories named `*.json` under `entries/` are reported here as well.
      """,
      fails=Example("""
          {
            "id": "tensorflow/tflite-quantization-range",
            ...
            "last_updated": "2026-06-01",
          }""", raw=_record_file('"root_cause": "The calibration data did not cover the activation range."', last=",")),
      passes=Example("""
          {
            "id": "tensorflow/tflite-quantization-range",
            ...
            "last_updated": "2026-06-01"
          }""", raw=_record_file('"root_cause": "The calibration data did not cover the activation range."')))
def invalid_json(record, context):
    return _parse_problems(record, INVALID_JSON)


@rule(code="KB102", name=DUPLICATE_KEY, family=FAMILY, severity=Severity.ERROR, scope="file",
      summary="An object has the same key twice; the earlier value would be silently lost.",
      explanation="""
      JSON parsers keep only the last of two equal keys, so the first value disappears without
      a word. This usually comes from a merge or a copy-paste. Keep one of the two keys.
      """,
      fails=Example('{..., "root_cause": "Calibration data too small.", "root_cause": "Missing kernel.", ...}',
                    raw=_record_file('"root_cause": "Calibration data too small."', '"root_cause": "Missing kernel."')),
      passes=Example('{..., "root_cause": "Calibration data too small; the op also lacks a kernel.", ...}',
                     raw=_record_file('"root_cause": "Calibration data too small; the op also lacks a kernel."')))
def duplicate_key(record, context):
    return _parse_problems(record, DUPLICATE_KEY)


def _parse_problems(record, rule_name: str):
    """The problems the reader found for one rule, where the reader found them."""
    return (Problem(problem.pointer, problem.message, line=problem.line, column=problem.column)
            for problem in record.problems if problem.rule_name == rule_name)


@rule(code="KB103", name="schema", family=FAMILY, severity=Severity.ERROR,
      summary="The record violates the JSON Schema (schema/error-record.schema.json).",
      explanation="""
      One finding per violation, at the offending value: a missing required field, an unknown
      (often misspelt) field, a wrong type, a value outside its range or enumeration, a date that
      is not a real calendar date in YYYY-MM-DD form. The schema is the single source of truth
      for the record format; each of its properties has a description.
      """,
      fails=Example('"resolvable": true, "first_seen": "2024-02-30"', record={"resolvable": True, "first_seen": "2024-02-30"}),
      passes=Example('"resolvable": "true", "first_seen": "2024-02-28"', record={"resolvable": "true", "first_seen": "2024-02-28"}))
def schema(record, context):
    yield from context.schema.problems(record.data)


@rule(code="KB104", name="id-path-mismatch", family=FAMILY, severity=Severity.ERROR,
      summary="The file is not at entries/<id>.json.",
      explanation="""
      A record with id `<domain>/<slug>` must live at `entries/<domain>/<slug>.json`, so that the
      id can be found from the path and the path from the id. Files outside `entries/` (for example
      candidates) must still be named `<domain>/<slug>.json`. Rename the file, or fix the id.
      """,
      fails=Example('entries/tensorflow/quantization.json containing "id": "tensorflow/tflite-quantization-range"',
                    path="entries/tensorflow/quantization.json"),
      passes=Example('entries/tensorflow/tflite-quantization-range.json containing "id": "tensorflow/tflite-quantization-range"',
                     path="entries/tensorflow/tflite-quantization-range.json"))
def id_path_mismatch(record, context):
    entry_id = record.entry_id
    if not entry_id or entry_id.count("/") != 1:
        return
    expected_suffix = f"{entry_id}.json"
    path = record.relative_path
    if path.startswith(ENTRIES_DIR + "/"):
        if path != f"{ENTRIES_DIR}/{expected_suffix}":
            yield Problem("/id", f"id '{entry_id}' does not fit the file's path {path}",
                          f"move the file to {ENTRIES_DIR}/{expected_suffix}")
    elif not (path == expected_suffix or path.endswith("/" + expected_suffix)):
        yield Problem("/id", f"id '{entry_id}' does not fit the file's path {path}",
                      f"name the file <folder>/{expected_suffix}")


@rule(code="KB105", name="duplicate-id", family=FAMILY, severity=Severity.ERROR, scope="kb",
      summary="Two files carry the same id.",
      explanation="""
      Ids are how records refer to each other and how users find them; two files with one id make
      every reference ambiguous. Both files are reported. Give one of them a new id (and move it).
      """,
      # The copy cannot lie at entries/<id>.json, where the other file is: id-path-mismatch fires for it too.
      fails=Example('entries/tensorflow/copy.json and entries/tensorflow/tflite-quantization-range.json (another error) '
                    'both containing "id": "tensorflow/tflite-quantization-range"',
                    path="entries/tensorflow/copy.json", others=(dict(_OTHER_RECORD, id="tensorflow/tflite-quantization-range"),), also=("id-path-mismatch",)),
      passes=Example('entries/tensorflow/copy.json with "id": "tensorflow/copy" and '
                     'entries/tensorflow/tflite-quantization-range.json (another error) with "id": "tensorflow/tflite-quantization-range"',
                     path="entries/tensorflow/copy.json", record={"id": "tensorflow/copy"},
                     others=(dict(_OTHER_RECORD, id="tensorflow/tflite-quantization-range"),)))
def duplicate_id(kb, context):
    for entry_id, records in kb.by_id.items():
        if len(records) < 2:
            continue
        for record in records:
            others = ", ".join(other.relative_path for other in records if other is not record)
            yield Problem("/id", f"id '{entry_id}' is also used by {others}", "give each record its own id", record=record)


@rule(code="KB106", name="domain-mismatch", family=FAMILY, severity=Severity.ERROR,
      summary="`domain` differs from the first segment of `id`.",
      explanation="""
      The id is `<domain>/<slug>` and the file lives in `entries/<domain>/`; the `domain` field says
      the same thing once more so that tools need not parse the id. When they disagree, searches by
      domain and the folder layout tell different stories. Make `domain` equal to the part of the id
      before the `/` (or, if the domain is what is right, change the id and move the file).
      """,
      fails=Example('"id": "tensorflow/tflite-quantization-range", "domain": "tflite"', record={"domain": "tflite"}),
      passes=Example('"id": "tensorflow/tflite-quantization-range", "domain": "tensorflow"', record={"domain": "tensorflow"}))
def domain_mismatch(record, context):
    entry_id, domain = record.entry_id, record.data.get("domain")
    if not entry_id or entry_id.count("/") != 1 or not isinstance(domain, str):
        return
    expected = entry_id.split("/", 1)[0]
    if domain != expected:
        yield Problem("/domain", f"domain is '{domain}' but the id '{entry_id}' puts the record in domain '{expected}'",
                      f"set domain to '{expected}', or change the id (and move the file) to '{domain}/...'")


@rule(code="KB107", name="duplicate-error-code", family=FAMILY, severity=Severity.ERROR, scope="kb",
      summary="Two records share an `error_code`.",
      explanation="""
      `error_code` is a short handle unique in the knowledge base: people quote it in issues and
      chat to name one error. Two records with one code make it ambiguous. Every record of the group
      is reported, naming the others. Give one of them another code (or `null`). Files that also
      share their id are left to `duplicate-id`.
      """,
      fails=Example('entries/tensorflow/tflite-quantization-range.json and entries/tensorflow/tflite-converter-unsupported-op.json '
                    'both containing "error_code": "TQR"',
                    record={"error_code": "TQR"}, others=(dict(_OTHER_RECORD, error_code="TQR"),)),
      passes=Example('entries/tensorflow/tflite-quantization-range.json with "error_code": "TQR" and '
                     'entries/tensorflow/tflite-converter-unsupported-op.json with "error_code": "ETQU"',
                     record={"error_code": "TQR"}, others=(dict(_OTHER_RECORD, error_code="ETQU"),)))
def duplicate_error_code(kb, context):
    by_code: dict[str, list] = {}
    for record in kb.records:
        code = record.data.get("error_code")
        if isinstance(code, str) and code.strip():
            by_code.setdefault(code.strip(), []).append(record)
    for code, records in by_code.items():
        if len(records) < 2:
            continue
        for record in records:
            others = [other for other in records if other is not record and other.entry_id != record.entry_id]
            if not others:
                continue
            names = ", ".join(f"{other.entry_id or '?'} ({other.relative_path})" for other in others)
            yield Problem("/error_code", f"error_code '{code}' is also used by {names}",
                                  "give each record its own error_code, or null", record=record)
