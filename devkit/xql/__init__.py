"""Offline evaluator for the XQL subset of XSIAM modeling and parsing rules (XIF files).

Tokenizer (:mod:`.tokens`) -> parser (:mod:`.parser`, AST in :mod:`.ast`) -> evaluator
(:mod:`.evaluator`), with functions in one table (:mod:`.functions`) and demisto-sdk test-data
checks in :mod:`.testdata`.

    rules = load_rules("Packs/Docusign/ModelingRules/DocusignModelingRules")
    row = rules.model("docusign_docusign_raw", raw_event)      # {"xdm.event.type": ..., ...}
    result = rules.evaluate_model("docusign_docusign_raw", raw_event)  # every row + warnings
    parsed = rules.parse("docusign", "docusign", raw_event)    # INGEST sections
    problems = run_testdata("Packs/Docusign/ModelingRules/DocusignModelingRules")
    rows = run_query("datamodel dataset = docusign_docusign_raw | comp count() as n by xdm.event.type",
                     {"docusign_docusign_raw": events}, rules)       # search queries (:mod:`.query`)
"""

from .errors import XqlError, XqlRuntimeError, XqlSyntaxError, XqlWarning
from .evaluator import Evaluator, ModelResult, ParsedRow, ParseResult, RuleSet, load_rules
from .parser import parse_expression, parse_query, parse_xif
from .query import Premodeled, run_query
from .testdata import Mismatch, compare_expected, load_testdata, run_testdata
from .values import REGEX_ENGINE

__all__ = [
    "REGEX_ENGINE",
    "Evaluator",
    "Mismatch",
    "ModelResult",
    "ParseResult",
    "ParsedRow",
    "Premodeled",
    "RuleSet",
    "XqlError",
    "XqlRuntimeError",
    "XqlSyntaxError",
    "XqlWarning",
    "compare_expected",
    "load_rules",
    "load_testdata",
    "parse_expression",
    "parse_query",
    "parse_xif",
    "run_query",
    "run_testdata",
]
