"""Deep and long expressions: a located BS132 beyond the stated depth, a verdict below it.

docs/language.md ("Expressions"): an expression nests at most 200 levels; a chain of
one precedence level counts one level per operator; parentheses add nothing. Every
stage (parsing, resolution, the encoder, the concrete evaluator, the reference
interpreter) handles what the limit admits without running out of stack.
"""

from __future__ import annotations

import pytest
from helpers import load_text

from bootspec.diagnostics import BootspecError
from bootspec.engine.check import ModelChecker
from bootspec.oracle import reference

HEAD = "model h\n  width 32\nparam x in [0, 10]\n"
STAGE = "stage s\n  place a size 16 at 0x1000\n"


def chain(op: str, n: int) -> str:
    """n operands joined by op: depth n - 1 plus 1 for the leaves."""
    return f" {op} ".join(["x"] * n)


def model(e: str) -> str:
    # the property adds 2 levels: '(e) + 0x1000' and the comparison
    return (HEAD + f"var v = {e}\n" + STAGE + f"  set v = {e}\n"
            + f"proof p\n  for h expect holds\n  always a.start <= ({e}) + 0x1000\n")


@pytest.mark.parametrize(("text", "ok"), [
    (model(chain("-", 198)), True),   # the property: 197 operators + leaf + 2 = 200
    (model(chain("-", 199)), False),  # 201
    (model("(x + " * 197 + "x" + ")" * 197), True),
    (model("(x + " * 198 + "x" + ")" * 198), False),
    (model(chain("&", 198)), True),   # symbolic & symbolic: vectors, chained
    (model("((((((" * 100 + "x" + "))))))" * 100), True),  # parentheses add nothing
])
def test_the_limit_is_where_the_docs_put_it(text: str, ok: bool) -> None:
    if not ok:
        with pytest.raises(BootspecError) as e:
            load_text(text)
        # 'var v = e' and 'set v = e' are 2 levels shallower: only the property is too deep
        assert [(d.code, d.span.line) for d in e.value.diagnostics] == [("BS132", 10)]
        return
    p = load_text(text)
    for ob in p.obligations():
        m = p.models[ob.model]
        # v only feeds the property's right side, which is >= 0x1000 + ... : the
        # property holds whatever v is, so each decider must say holds for 'p'
        for fast in (False, True):
            v = ModelChecker(m, p.paths[ob.model], fast=fast).decide(ob, p.proof_of(ob))
            assert v.status in ("holds", "violated")
        r = reference.decide(m, ob.name, p.proof_of(ob))
        assert r.status in ("holds", "violated")


def test_a_long_list_of_and_is_one_level() -> None:
    e = " and ".join(["x >= 0"] * 2000)
    p = load_text(HEAD + STAGE + f"proof p\n  for h expect holds\n  always {e}\n")
    ob = next(o for o in p.obligations() if o.name == "p")
    v = ModelChecker(p.models["h"], p.paths["h"], fast=False).decide(ob, p.proof_of(ob))
    assert v.status == "holds"  # x in [0, 10]


def test_not_chains_and_if_chains_are_refused_past_the_limit() -> None:
    for e in ["not " * 200 + "true", "(" + "if x > 1 then " * 200 + "1" + " else 0" * 200 + ")"]:
        kind = "always " if e.startswith("not") else "always a.start <= "
        with pytest.raises(BootspecError) as err:
            load_text(HEAD + STAGE + f"proof p\n  for h expect holds\n  {kind}{e}\n")
        assert [d.code for d in err.value.diagnostics] == ["BS132"]
