"""The constructs real boot bugs need, at real widths: C arithmetic, map contents in
assumptions, quantifiers and aggregates, attributes, whole-map transformations,
region sets, loops and fragments. Each verdict follows from docs/language.md (the
reasoning is beside it); the oracle and the soak compare the same constructs with
brute force and the reference interpreter at 8 bits."""

from __future__ import annotations

import pytest
from helpers import load_text

from bootspec.diagnostics import BootspecError
from bootspec.engine.check import ModelChecker, Verdict


def verdicts(text: str, fast: bool = False) -> dict[str, Verdict]:
    p = load_text(text)
    return {f"{ob.name}": ModelChecker(p.models[ob.model], p.paths[ob.model], fast=fast)
            .decide(ob, p.proof_of(ob)) for ob in p.obligations()}


def statuses(text: str, fast: bool = False) -> dict[str, str]:
    return {k: v.status for k, v in verdicts(text, fast).items()}


def codes(text: str) -> list[str]:
    with pytest.raises(BootspecError) as e:
        load_text(text)
    return [d.code for d in e.value.diagnostics]


# -- C arithmetic ----------------------------------------------------------------------

C = """model m
  width 32
param x in [0, 1MiB]
param order in [0, 10]
param d in [0, 3]
stage s
  set up = (x + 4KiB - 1) & ~(4KiB - 1)
  set pages = 1 << order
  set q = 100 / d
  set low = u32(x - 0x100000 - 1)
  set hi = x >> 12
var up = 0
var pages = 0
var q = 0
var low = 0
var hi = 0
expect wrap@L9 violated
proof rounding
  for m expect holds
  at end up % 4KiB == 0 and up >= x and up - x < 4KiB
proof shift
  for m expect holds
  at end pages >= 1 and pages <= 1024 and hi * 4KiB <= x
proof modular
  for m expect holds
  at end low < 0x100000000
"""


@pytest.mark.parametrize("fast", [False, True])
def test_c_arithmetic_reads_like_c(fast: bool) -> None:
    # the mask rounds up as C does; '1 << order' is a power of two; '100 / d' with d = 0
    # is the one wrap (line 9); u32() wraps on purpose and is no finding
    assert statuses(C, fast) == {"wellformed": "holds", "wrap@L9": "violated",
                                 "modular": "holds", "rounding": "holds", "shift": "holds"}


def test_complement_of_the_top_is_a_wrap_and_and_binds_looser_than_equals() -> None:
    text = "model m\n  width 8\nparam x in {255, 256}\nstage s\n  set y = ~x\nvar y = 0\n"
    v = verdicts(text)["wellformed"]
    assert v.status == "violated" and v.counterexample is not None
    assert dict(v.counterexample.params)["x"] == "256"  # ~256 = -1
    assert "BS103" in codes("model m\n  width 8\nparam x in [0, 9]\nassume x & 8 != 0\n"
                            "stage s\n")


def test_a_product_of_two_symbolic_values_is_allowed() -> None:
    text = """model m
  width 32
param n in [1, 64]
param size in [1, 64]
stage s
  place buf size n * size at 0
proof fits
  for m expect holds
  always below(buf, 4097)
"""
    assert statuses(text) == {"wellformed": "holds", "fits": "holds"}


# -- maps: contents in assumptions, quantifiers, aggregates, attributes -----------------

MAP = """model m
  width 32
const WB = 0x8
map fw : efi symbolic 4 types {conventional, bs_data, reserved} within [0, 2MiB) align 4KiB \\
  attrs {WB, UC}
assume forall e in fw types {bs_data}: e.start >= 1MiB
assume count(e in fw types {conventional} where e.end <= 1MiB) >= 1
stage s
  place t size 64KiB topdown in fw types {conventional} where entry.end <= 1MiB and \\
    (entry.attrs & WB) != 0 align 4KiB else none
proof t_low
  for m expect holds
  at end below(t, 1MiB)
proof t_not_boot_services
  for m expect holds
  at end disjoint(t, fw types {bs_data})
proof conservation
  for m expect holds
  at end sum(e.size for e in fw) <= 2MiB
proof wb
  for m expect holds
  at end t.size == 0 or (exists e in fw types {conventional}: (e.attrs & WB) != 0)
"""


def test_assumptions_quantifiers_aggregates_and_attributes() -> None:
    # t lies in a conventional WB entry that ends at or below 1 MiB; boot-services
    # memory is assumed above 1 MiB; the map's entries cover at most 2 MiB; when t is
    # placed, some conventional entry has WB.
    assert set(statuses(MAP).values()) == {"holds"}


def test_a_map_predicate_can_be_negated_and_assumed() -> None:
    text = """model m
  width 32
map ram : e820 symbolic 3 types {usable, reserved} align 4KiB
param size in [4KiB, 1MiB] align 4KiB
assume within([16MiB, 16MiB + size), ram types {usable})
stage s
  place k size size at 16MiB
proof in_ram
  for m expect holds
  always within(k, ram types {usable}) and not disjoint(k, ram types {usable})
proof not_reserved
  for m expect violated
  always not within(k, ram types {usable})
"""
    assert statuses(text) == {"wellformed": "holds", "in_ram": "holds", "not_reserved": "violated"}


CONVERT = """model m
  width 64
map fw : efi
  entry [0x0, 0x90000) bs_data
  entry [0x90000, 0xA0000) conventional
  entry [0x100000, 0x200000) bs_code
map e : e820 derived
stage exit_boot_services
  place low = [0, 1MiB)
  convert fw types {bs_code, bs_data} to conventional
  translate fw to e by {conventional: usable}
  place heap size 1MiB bottomup in e types {usable} above 1MiB
proof heap_in_freed
  for m expect holds
  at end within(heap, e types {usable}) and equal(heap.start, 0x100000)
proof below_1mib_is_all_ram
  for m expect violated
  at end within(low, e types {usable})
proof trampoline_gap
  for m expect holds
  at end disjoint([0, 1MiB) minus [0x90000, 0xA0000), [0x90000, 0xA0000))
"""


@pytest.mark.parametrize("fast", [False, True])
def test_convert_translate_and_region_sets(fast: bool) -> None:
    # after ExitBootServices every boot-services entry is conventional; translated to
    # an e820 map, [0x100000, 0x200000) is usable and the heap goes at its bottom; the
    # hole [0xA0000, 0x100000) is in no entry, so [0, 1 MiB) is not all usable
    assert statuses(CONVERT, fast) == {"wellformed": "holds", "below_1mib_is_all_ram": "violated",
                                       "heap_in_freed": "holds", "trampoline_gap": "holds"}


# -- repetition ---------------------------------------------------------------------------

LOOP = """model m
  width 32
const NR_CPUS = 4
const STACK = 16KiB
fragment carve(r, n)
  place r size n from stacks align 4KiB
end
stage smp
  pool stacks = [1MiB, 2MiB) down
  for cpu in [0, NR_CPUS)
    use carve(stack[cpu], STACK)
    assert stack_ok: aligned(stack[cpu], 4KiB)
  end
proof apart
  for m expect holds
  always forall i in [0, NR_CPUS): forall j in [0, NR_CPUS): i == j or disjoint(stack[i], stack[j])
proof in_pool
  for m expect holds
  at end forall i in [0, NR_CPUS): within(stack[i], stacks)
"""


def test_a_loop_and_a_fragment_stand_for_their_lines() -> None:
    p = load_text(LOOP)
    body = p.models["m"].stages["smp"].body
    assert [getattr(b, "region", getattr(b, "name", "")) for b in body] == [
        "stacks", "stack[0]", "stack_ok[0]", "stack[1]", "stack_ok[1]", "stack[2]",
        "stack_ok[2]", "stack[3]", "stack_ok[3]"]
    assert [b.rep for b in body[1:3]] == [(0, 1), (0,)]
    assert set(statuses(LOOP).values()) == {"holds"}
    assert "stack_ok[3]" in statuses(LOOP)


def test_repetition_errors_are_located() -> None:
    base = "model m\n  width 32\nparam n in [0, 4]\nstage s\n"
    assert "BS108" in codes(base + "  for i in [0, n)\n    place r[i] size 4 at 0\n  end\n")
    assert "BS117" in codes(base + "  for i in [0, 2)\n    place r[i] size 4 at 0\n")
    assert "BS101" in codes(base + "  use nothing(x)\n")
    assert "BS110" in codes("model m\n  width 32\nfragment f(r)\n  use f(r)\nend\n"
                            "stage s\n  use f(x)\n")
    assert "BS117" in codes("model m\n  width 32\nfragment f(r, n)\n  place r size n at 0\n"
                            "end\nstage s\n  use f(x)\n")
