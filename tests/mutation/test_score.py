"""tools/mutation's scoring: which mutants count, how survivors are matched to their explanations."""

from __future__ import annotations

import pytest

from tools.mutation.score import function_of, mutated_line, report, score_module

DIFF = """--- services/x.py
+++ services/x.py
@@ -1,2 +1,2 @@
 def check(value):
-    return value >= LIMIT
+    return value > LIMIT"""


@pytest.mark.parametrize(
    ("mutant", "function"),
    [
        ("services.risk.domain.rules.x_fraud_rules__mutmut_3", "fraud_rules"),
        ("services.runtime.authz.xǁPolicySetǁ__init____mutmut_2", "PolicySet.__init__"),
        ("services.runtime.access.x__metadata__mutmut_11", "_metadata"),
    ],
)
def test_a_mutant_names_its_function(mutant, function):
    assert function_of(mutant) == function


def test_a_name_that_is_no_mutant_is_refused():
    with pytest.raises(ValueError, match="not a mutmut mutant name"):
        function_of("services.risk.domain.rules.fraud_rules")


def test_the_mutated_line_is_the_first_added_one():
    assert mutated_line(DIFF) == "return value > LIMIT"
    assert mutated_line("--- a\n+++ b\n-    gone") == ""


def test_io_functions_and_explained_equivalents_are_left_out_of_the_score():
    results = {
        "services.x.x_check__mutmut_1": 1,  # killed
        "services.x.x_check__mutmut_2": 0,  # survived, explained
        "services.x.x_check__mutmut_3": 36,  # timed out: caught
        "services.x.x_load__mutmut_1": 0,  # in an I/O function
        "services.x.xǁStoreǁsave__mutmut_1": 33,  # a method of an I/O class: no tests
        "services.x.x_rule__mutmut_1": 33,  # no unit test reaches it: a survivor
    }
    explained = {
        "io": ["load", "Store"],
        "equivalent": [{"function": "check", "mutant": " return value > LIMIT ", "why": "LIMIT is never reached"}],
    }
    diffs = {"services.x.x_check__mutmut_2": DIFF, "services.x.x_rule__mutmut_1": "+    return None"}
    module = score_module("services/x.py", results, explained, diffs.__getitem__)
    assert (module.mutants, module.io, module.killed, module.scored) == (6, 2, 2, 3)
    assert [(s.function, why) for s, why in module.equivalent] == [("check", "LIMIT is never reached")]
    [survivor] = module.survivors
    assert (survivor.function, survivor.line, survivor.no_tests) == ("rule", "return None", True)
    assert module.score == pytest.approx(2 / 3) and not module.passed
    text = report([module])
    assert "| services/x.py | 6 | 2 | 1 | 2 | 1 | 66.7% ✗ |" in text
    assert "survived: services.x.x_rule__mutmut_1 (no unit test reaches this function)" in text


def test_an_explanation_without_its_survivor_is_stale_and_fails():
    explained = {"equivalent": [{"function": "check", "mutant": "return value > LIMIT", "why": "..."}]}
    module = score_module("services/x.py", {"services.x.x_check__mutmut_1": 1}, explained, lambda name: "")
    assert module.score == 1.0 and module.stale == ["check: return value > LIMIT"] and not module.passed


def test_mutants_not_run_fail_the_module_until_run():
    module = score_module("services/x.py", {"services.x.x_check__mutmut_1": None}, {}, lambda name: "")
    assert module.not_run == 1 and not module.passed
