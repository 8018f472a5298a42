"""Graph: the transition graph links records that exist, and not a record to itself."""

from __future__ import annotations

import difflib
import re

from kbtool.findings import Problem, Severity
from kbtool.records import GRAPH_EDGE_KINDS, graph_edges
from kbtool.rules.base import Example, rule

FAMILY = "graph"

#: Values that are not ids at all are left to the `schema` rule (its pattern for `error_id`).
_ID_SHAPE = re.compile(r"[a-z0-9._-]+/[a-z0-9._-]+")


def id_edges(data: dict):
    """The edges of the record's transition graph whose target has the shape of an id."""
    return (edge for edge in graph_edges(data, GRAPH_EDGE_KINDS) if _ID_SHAPE.fullmatch(edge.target))


#: Suggest a similar id only among this many ids of the same domain (keeps lint fast on huge KBs).
MAX_SUGGESTION_CANDIDATES = 2000

#: The examples' second record (a change to the base record, clean of its own): what an edge can point at.
_OTHER_RECORD = {
    "id": "tensorflow/tflite-converter-unsupported-op",
    "signature": "ConverterError: Quantization not supported for op 'Cumsum'. Op has no registered quantized kernel.",
    "regex": "Quantization not supported for op '[^']{1,100}'\\. Op has no registered quantized kernel",
    "error_code": "TCU",
}


def _leads_to(error_id: str) -> dict:
    return {"transition_graph": {"leads_to": [{"error_id": error_id}]}}


@rule(code="KB601", name="dangling-reference", family=FAMILY, severity=Severity.ERROR, scope="kb",
      summary="A transition-graph `error_id` names no record in the knowledge base.",
      explanation="""
      `leads_to`, `preceded_by` and `frequently_confused_with` link records by id. A link to an id
      that no record carries leads users nowhere: the id is misspelt, or the record it named was
      renamed or deleted (a record that is deleted simply no longer exists in the KB, so every record
      still pointing at it is reported). Correct the id, or remove the edge. When a record with a
      similar id exists in the same domain, the finding suggests it.
      """,
      fails=Example('"transition_graph": {"leads_to": [{"error_id": "tensorflow/tflite-converter-unsuported-op"}]} '
                    '(misspelt: the KB holds tensorflow/tflite-converter-unsupported-op)',
                    record=_leads_to("tensorflow/tflite-converter-unsuported-op"), others=(_OTHER_RECORD,)),
      passes=Example('"transition_graph": {"leads_to": [{"error_id": "tensorflow/tflite-converter-unsupported-op"}]} '
                     '(the KB holds tensorflow/tflite-converter-unsupported-op)',
                     record=_leads_to("tensorflow/tflite-converter-unsupported-op"), others=(_OTHER_RECORD,)))
def dangling_reference(kb, context):
    known = kb.by_id
    ids_by_domain: dict[str, list[str]] = {}  # made when the first dangling edge is found
    for record in context.reported(kb.records):
        for edge in id_edges(record.data):
            pointer, target = edge.pointer, edge.target
            if target in known or target == record.entry_id:
                continue
            if not ids_by_domain:
                for entry_id in known:
                    ids_by_domain.setdefault(entry_id.split("/", 1)[0], []).append(entry_id)
            candidates = ids_by_domain.get(target.split("/", 1)[0], [])
            similar = (difflib.get_close_matches(target, candidates, n=1, cutoff=0.8)
                       if len(candidates) <= MAX_SUGGESTION_CANDIDATES else [])
            hint = f"did you mean '{similar[0]}'? Otherwise remove the edge" if similar else "correct the id, or remove the edge"
            yield Problem(pointer, f"error_id '{target}' names no record in the knowledge base", hint, record=record)


@rule(code="KB602", name="self-reference", family=FAMILY, severity=Severity.ERROR,
      summary="A record's transition graph points at the record itself.",
      explanation="""
      An edge from a record to itself says that the error leads to, follows, or is confused with
      itself: it tells the reader nothing and usually is a copy-paste slip for another id. Remove the
      edge, or put the id of the related record.
      """,
      fails=Example('"id": "tensorflow/tflite-quantization-range", '
                    '"transition_graph": {"leads_to": [{"error_id": "tensorflow/tflite-quantization-range"}]}',
                    record={"id": "tensorflow/tflite-quantization-range", **_leads_to("tensorflow/tflite-quantization-range")}),
      passes=Example('"id": "tensorflow/tflite-quantization-range", '
                     '"transition_graph": {"leads_to": [{"error_id": "tensorflow/tflite-converter-unsupported-op"}]} '
                     '(another record of the KB)',
                     record={"id": "tensorflow/tflite-quantization-range", **_leads_to("tensorflow/tflite-converter-unsupported-op")},
                     others=(_OTHER_RECORD,)))
def self_reference(record, context):
    for edge in id_edges(record.data):
        pointer, target = edge.pointer, edge.target
        if target == record.entry_id:
            yield Problem(pointer, f"error_id '{target}' is this record's own id", "remove the edge, or name the related record")
