"""Random small models at an 8-bit address width, for the oracles.

``generate(seed)`` returns the text of one model and its proofs. It draws from
every construct the oracles can enumerate: range, set, bool and enum
parameters; fixed, derived, anywhere (also ones that may not fit, with or without
``else none``), top-down, bottom-up (over a range or a symbolic map's typed
entries, with a ``where`` on the segment), pool and ``else`` placements; free,
move, copy, reserve (then allocation from what was reserved), set (with guarded
subtractions), assume (also one that wraps), assert; sizes that may wrap and
regions that may invert, range literals whose bounds may invert or pass 2^8;
guarded branches that rejoin; design changes (``extends`` with ``replace``,
``insert``, ``delete`` or a new parameter domain); expected finding sites; every
predicate and every scope, conjunctions over regions with different lifetimes.
Inputs are kept small enough to enumerate in a fraction of a second.

Compound formulas (``or``, ``not``, ``implies``) name one region only, or regions
that live together, so they are never refused for mixed lifetimes (BS126); the
refusal has tests of its own.
"""

from __future__ import annotations

import random


def generate(seed: int) -> str:
    rnd = random.Random(seed)
    out: list[str] = [f"model g{seed}", "  width 8"]
    use_map = rnd.random() < 0.4
    use_any = not use_map and rnd.random() < 0.5
    out.append("param a in [0, 128] align 32")
    out.append(f"param b in {{{rnd.choice(['0, 16', '16, 48', '32, 64', '16, 200'])}}}")
    branch = rnd.random() < 0.5
    if branch:
        out.append("param mode : enum {x, y}")
    if rnd.random() < 0.3:
        out.append(f"assume a {rnd.choice(['>=', '<=', '!='])} {rnd.choice([0, 32, 64, 96])}")
    attrs = use_map and rnd.random() < 0.3
    derived = use_map and rnd.random() < 0.3
    if use_map:
        out.append("map mm : e820 symbolic 2 types {usable, reserved} within [0, 256) align 64"
                   + (" attrs {bit0}" if attrs else ""))
    if derived:
        out.append("map dd : e820 derived")
    shift = rnd.random() < 0.2
    if shift:
        out.append("param sh in {0, 3, 6}")
    fragment = rnd.random() < 0.25
    if fragment:  # a named action sequence, used from the stages below
        out += ["fragment bump(r, n)", "  place r size n from p", "end"]
    out.append(f"region g0 = [{rnd.choice(['a', '0', '64'])}, "
               f"{rnd.choice(['a + 32', '128', 'a + b', '224 + a'])})")
    out.append(f"flag f = {rnd.choice(['true', 'false'])}")
    out.append(f"var cur = {rnd.choice(['a', 'a', 'if a > b then a - b else 0', 'b - a'])}")
    live = ["g0"]
    n = [0]
    fits_lines: list[int] = []  # lines of placements that can find no room

    def fresh() -> str:
        n[0] += 1
        return f"r{n[0]}"

    def clauses(kind: str) -> str:
        parts = []
        if rnd.random() < 0.5:
            parts.append(rnd.choice(["within [16, 240)", "within g0", "within [0, 256)"]))
        if rnd.random() < 0.5:
            parts.append(f"below {rnd.choice(['200', 'a + 96', '256', '100', 'b - 16'])}")
        if rnd.random() < 0.3:
            parts.append(f"above {rnd.choice(['16', 'a', '8'])}")
        if rnd.random() < 0.6:
            parts.append(f"align {rnd.choice(['16', '32', '64'])}")
        if kind != "anywhere" and use_map and rnd.random() < 0.6:
            where = rnd.choice(["", "", " where entry.end <= 192", " where entry.size >= 64",
                                " where entry.start - 64 < a"]
                               + ([" where (entry.attrs & 1) != 0"] if attrs else []))
            parts.append(f"in mm types {{{rnd.choice(['usable', 'reserved', 'usable, reserved'])}}}"
                         + where)
        if rnd.random() < 0.6 and len(live) > 0:
            if rnd.random() < 0.4:
                parts.append("avoid all")
            else:
                parts.append("avoid " + ", ".join(rnd.sample(live, min(len(live), 2))))
        return " ".join(parts)

    any_left = [1 if use_any else 0]

    def place_line(stage_regions: list[str]) -> str:
        r = fresh()
        size = rnd.choice(["16", "b", "32", "a + 16", "0", "b - a", "a - 32", "96",
                           "(a + 15) & ~15", "u8(b - 32)", "a * b / 64", "64 / (b - 16)"]
                          + (["1 << sh"] if shift else []))
        kinds = ["at", "topdown", "bottomup", "pool"]
        if any_left[0]:
            kinds.append("anywhere")
        kind = rnd.choice(kinds)
        stage_regions.append(r)
        if kind == "at":
            return f"  place {r} size {size} at {rnd.choice(['a', 'a + 64', '240', 'cur', '128 - b'])}"
        if kind == "pool":
            return f"  place {r} size {size} from p align {rnd.choice(['1', '16'])}"
        line = f"  place {r} size {size} {kind} {clauses(kind)}"
        if kind == "anywhere":
            any_left[0] -= 1
        elif rnd.random() < 0.3:
            line += f" else {rnd.choice(['topdown', 'bottomup'])} {clauses(kind)}"
        if rnd.random() < 0.2:
            line += " else none"
        else:
            fits_lines.append(len(out) + 1)
        return line

    def body(stage_regions: list[str], k: int, common: bool) -> list[str]:
        lines: list[str] = []

        def add(text: str) -> None:
            lines.append(text)
            out.append(text)  # lines are numbered as they come (for expected sites)

        for _ in range(k):
            c = rnd.random()
            if c < 0.5 or not live:
                add(place_line(stage_regions))
                if common:
                    live.append(stage_regions[-1])
            elif c < 0.57 and common and len([x for x in live[1:] if x != "p"]) > 0:
                victim = rnd.choice([x for x in live[1:] if x != "p"])
                live.remove(victim)
                add(f"  free {victim}")
                if rnd.random() < 0.5:  # placed again later: a different lifetime
                    add(f"  place {victim} size 16 {rnd.choice(['at 160', 'topdown avoid all'])}")
                    live.append(victim)
            elif c < 0.63 and common:
                add(f"  move {rnd.choice(live)} {rnd.choice(['at 64', 'topdown avoid all', 'bottomup below 250'])}")
            elif c < 0.68 and common:
                r = fresh()
                add(f"  copy {rnd.choice(live)} to {r} at {rnd.choice(['0', 'a + 32'])}")
                live.append(r)
            elif c < 0.76 and use_map:
                add(f"  reserve {rnd.choice(live)} in mm as {rnd.choice(['usable', 'reserved'])}")
                if rnd.random() < 0.6:  # then allocate from what the map now says
                    r = fresh()
                    stage_regions.append(r)
                    fits_lines.append(len(out) + 1)
                    add(f"  place {r} size 16 {rnd.choice(['topdown', 'bottomup'])} in mm types "
                        f"{{{rnd.choice(['usable', 'reserved'])}}}")
                    if common:
                        live.append(r)
            elif c < 0.79 and derived and rnd.random() < 0.5:
                add(rnd.choice(["  translate mm to dd by {usable: usable}",
                                "  translate mm to dd by {usable: reserved, reserved: usable}"]))
                r = fresh()
                stage_regions.append(r)
                add(f"  place {r} size 16 topdown in dd types {{usable}} else none")
                if common:
                    live.append(r)
            elif c < 0.79 and use_map:
                add(rnd.choice([
                    "  assume count(e in mm types {usable}) <= 1",
                    "  assume forall e in mm types {usable}: e.size >= 64",
                    "  assume exists e in mm: e.start < 64",
                    f"  assume not within({rnd.choice(live)}, mm types {{reserved}})",
                    "  convert mm types {reserved} to usable"]
                    + (["  translate mm to dd by {usable: usable}",
                        "  translate mm to dd by {usable: reserved, reserved: usable}"]
                       if derived else [])))
                if derived and rnd.random() < 0.5:
                    r = fresh()
                    stage_regions.append(r)
                    add(f"  place {r} size 16 topdown in dd types {{usable}} else none")
                    if common:
                        live.append(r)
            elif c < 0.82:
                add(f"  set cur = {rnd.choice(['cur + 16', 'cur - 32', 'a', 'if cur > 32 then cur - 32 else 0', '(cur + 15) & ~15', 'u8(cur - 64)', 'cur >> 1', '(cur | 8) ^ a', 'u16(cur << 9) % 200', 'cur % 48', 'u32(a - cur) >> 28'])}")
            elif c < 0.85 and common:
                q = fresh()
                add("  for i in [0, 2)")
                add(f"    place {q}[i] size 16 {rnd.choice(['bottomup above 16 * i', 'topdown below 256 - 32 * i'])} avoid all else none")
                add("  end")
                live.extend([f"{q}[0]", f"{q}[1]"])
            elif c < 0.87 and common and fragment:
                r = fresh()
                add(f"  use bump({r}, {rnd.choice(['16', 'b', 'a - 32'])})")
                live.append(r)
            elif c < 0.88:
                add(f"  assume {rnd.choice(live)}.end <= {rnd.choice(['200', '256', 'a + 64'])}")
            elif c < 0.91:
                # guarded, or a wrap on the assume's own line (a finding whether the
                # assume then holds or stops the run)
                add(f"  assume ok{len(out)}: " + rnd.choice(
                    ["cur >= 1 implies cur - 1 <= 200", "cur - 16 >= 0", "cur - 16 <= 100"]))
            else:
                add(f"  set f = {rnd.choice(['not f', 'a > 32', 'cur > b and cur - b >= 16'])}")
        return lines

    out.append("stage s0")
    out.append(f"  pool p = [{rnd.choice(['0', '32'])}, {rnd.choice(['128', 'a + 64'])}) "
               f"{rnd.choice(['down', 'up'])}")
    live.append("p")
    s0: list[str] = []
    body(s0, rnd.randint(1, 3), True)
    if use_map and rnd.random() < 0.5:  # a map-wide action or assumption
        out.append(rnd.choice([
            "  assume count(e in mm types {usable}) <= 1",
            "  assume forall e in mm types {usable}: e.size >= 64",
            "  assume exists e in mm: e.start < 64",
            f"  assume not within({rnd.choice(live)}, mm types {{reserved}})",
            "  convert mm types {reserved} to usable",
            "  convert mm types {usable} to reserved"]))
    if derived and rnd.random() < 0.7:  # the derived map filled from mm, then used
        out.append(rnd.choice(["  translate mm to dd by {usable: usable}",
                               "  translate mm to dd by {usable: reserved, reserved: usable}"]))
        r = fresh()
        out.append(f"  place {r} size 16 topdown in dd types {{usable}} else none")
        live.append(r)
    asserted = rnd.random() < 0.4
    if asserted:
        out.append(f"  assert chk: {_pred(rnd, live, use_map)}")
    last = "s0"
    if branch:
        out.append("stage s1 after s0 when mode == x")
        b1: list[str] = []
        body(b1, rnd.randint(0, 2), False)
        guard2 = rnd.choice(["mode == y", "mode == y and f", "f", "cur >= 16 and cur - 16 < a"])
        out.append(f"stage s2 after s0 when {guard2}")
        b2: list[str] = []
        body(b2, rnd.randint(0, 2), False)
        out.append("stage s3 after s1, s2")
        body([], rnd.randint(0, 2), True)
        last = "s3"
        live.extend(b1[:1] + b2[:1])  # branch regions: properties may name them
    if fits_lines and rnd.random() < 0.4:  # a known finding, named by its site
        out.append(f"expect fits@L{rnd.choice(fits_lines)} {rnd.choice(['violated', 'holds'])}")
    out.append("")
    overlay = rnd.random() < 0.35
    if overlay:
        # a design change: replace, insert before/after or delete one of s0's
        # placements, or change a parameter
        s0_at = out.index("stage s0")
        s0_end = next((i for i in range(s0_at + 1, len(out)) if out[i].startswith("stage ")),
                      len(out))
        every = [ln.split()[1] for ln in out[s0_at:s0_end] if ln.startswith("  place r")]
        places = [ln.split()[1] for ln in out[s0_at:s0_end]
                  if ln.startswith("  place r") and "from p" not in ln]
        unique = [x for x in places if every.count(x) == 1]  # a key must name one action
        out.append(f"model h{seed} extends g{seed}")
        edit = rnd.random()
        if unique and edit < 0.5:
            target = rnd.choice(unique)
            out.append("stage s0")
            out.append(f"  replace place {target} size 16 "
                       f"{rnd.choice(['at 32', 'topdown align 16 avoid all', 'bottomup above 64'])}")
        elif unique and edit < 0.7:
            target = rnd.choice(unique)
            out.append("stage s0")
            out.append(f"  insert {rnd.choice(['before', 'after'])} place {target}: "
                       f"set cur = {rnd.choice(['cur + 16', 'a', '0'])}")
        else:
            out.append(f"param b in {{{rnd.choice(['16', '48, 64', '0'])}}}")
    scope = rnd.choice(["always", "always", "at end", f"after {last}", "during s0", "after s0"])
    out.append(f"proof q{seed}")
    out.append(f"  for g{seed} expect holds")
    if overlay:
        out.append(f"  for h{seed} expect holds")
    out.append(f"  {scope} {_pred(rnd, live, use_map)}")
    if rnd.random() < 0.3 and len(live) >= 3:
        # every pair, each where both are live (regions with different lifetimes)
        out.append(f"proof pairs{seed}")
        out.append(f"  for g{seed} expect holds")
        names = rnd.sample(live, 3)
        if rnd.random() < 0.5:
            out.append(f"  always disjoint({', '.join(names)})")
        else:
            x, y, z = names
            out.append(f"  always disjoint({x}, {y}) and disjoint({x}, {z}) and nowrap({y})")
    return "\n".join(out) + "\n"


def _pred(rnd: random.Random, live: list[str], use_map: bool) -> str:
    x = rnd.choice(live)
    y = rnd.choice(live)

    def atoms(x: str) -> list[str]:
        out = [f"within({x}, [0, {rnd.choice(['128', '200', '256'])}))",
               f"disjoint([0, 128) minus {x}, g0)" if x != "g0" else "within(g0, [0, 256))",
               f"within({x} union g0, [0, {rnd.choice(['192', '256'])}))",
               f"below({x}, {rnd.choice(['128', 'a + 100', '256'])})",
               f"above({x}, {rnd.choice(['16', 'a'])})",
               f"aligned({x}, {rnd.choice(['16', '32'])})",
               f"nowrap({x})",
               f"equal({x}.start, {rnd.choice(['a', 'a + 64', 'cur'])})",
               f"{x}.end - {x}.start <= {rnd.choice(['32', 'b'])}",
               f"{x}.size >= 16 and {x}.size - 16 <= b",
               f"disjoint({x}, g0)" if x != "g0" else "disjoint(g0, [200, 256))",
               # range literals whose bounds may invert or leave the address space
               f"disjoint([a, {rnd.choice(['64', 'b'])}), {x})",
               f"within({x}, [b, a + 160))",
               f"below([a, 96), {rnd.choice(['128', '256'])})"]
        if use_map:
            out += [f"within({x}, mm types {{usable}})", f"disjoint({x}, mm types {{reserved}})",
                    f"not within({x}, mm types {{reserved}})",
                    "count(e in mm) <= 1", "sum(e.size for e in mm types {usable}) <= 128",
                    "(forall e in mm: e.end - e.start <= 128)",
                    "(exists e in mm types {usable}: e.start <= a)"]
        return out

    mine = atoms(x)
    a = rnd.choice(mine)
    plain = [t for t in mine if " types " not in t]
    c = rnd.random()
    if c < 0.12:
        return f"not {rnd.choice(plain)}"
    if c < 0.25:  # one region's atoms: they live together
        return f"{rnd.choice(plain)} or {rnd.choice(plain)}"
    if c < 0.38:
        return f"(a > 32) implies {a}"
    if c < 0.45:
        return f"cur >= 16 implies cur - 16 <= {rnd.choice(['100', 'b'])}"
    if c < 0.58:  # a conjunction over regions with different lifetimes
        other = rnd.choice(atoms(y))
        return f"{a} and {other}"
    if c < 0.65 and x != y:
        return f"disjoint({x}, {y})"
    return a
