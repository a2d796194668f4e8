"""Random small models at an 8-bit address width, for the brute-force oracle.

``generate(seed)`` returns the text of one model and one proof. It draws from
every construct the oracle can enumerate: range, set, bool and enum
parameters; fixed, derived, anywhere, top-down, bottom-up (over a range or a
symbolic map's typed entries), pool and ``else`` placements; free, move, copy,
reserve, set, assume, assert; guarded branches that rejoin; design changes
(``extends`` with ``replace`` or a new parameter domain); every predicate and
every scope. Inputs are kept small enough to enumerate in a fraction of a second.
"""

from __future__ import annotations

import random


def generate(seed: int) -> str:  # noqa: C901 - a generator is a long list of choices
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
    if use_map:
        out.append("map mm : e820 symbolic 2 types {usable, reserved} within [0, 256) align 64")
    out.append(f"region g0 = [{rnd.choice(['a', '0', '64'])}, "
               f"{rnd.choice(['a + 32', '128', 'a + b', '224 + a'])})")
    out.append(f"flag f = {rnd.choice(['true', 'false'])}")
    out.append("var cur = a")
    live = ["g0"]
    n = [0]

    def fresh() -> str:
        n[0] += 1
        return f"r{n[0]}"

    def clauses(kind: str) -> str:
        parts = []
        if rnd.random() < 0.5:
            parts.append(rnd.choice(["within [16, 240)", "within g0", "within [0, 256)"]))
        if rnd.random() < 0.5:
            parts.append(f"below {rnd.choice(['200', 'a + 96', '256', '100'])}")
        if rnd.random() < 0.3:
            parts.append(f"above {rnd.choice(['16', 'a', '8'])}")
        if rnd.random() < 0.6:
            parts.append(f"align {rnd.choice(['16', '32', 'b' if False else '64'])}")
        if kind != "anywhere" and use_map and rnd.random() < 0.6:
            parts.append(f"in mm types {{{rnd.choice(['usable', 'reserved', 'usable, reserved'])}}}")
        if rnd.random() < 0.6 and len(live) > 0:
            if rnd.random() < 0.4:
                parts.append("avoid all")
            else:
                parts.append("avoid " + ", ".join(rnd.sample(live, min(len(live), 2))))
        return " ".join(parts)

    any_left = [1 if use_any else 0]

    def place_line(stage_regions: list[str]) -> str:
        r = fresh()
        size = rnd.choice(["16", "b", "32", "a + 16", "0"])
        kinds = ["at", "topdown", "bottomup", "pool"]
        if any_left[0]:
            kinds.append("anywhere")
        kind = rnd.choice(kinds)
        stage_regions.append(r)
        if kind == "at":
            return f"  place {r} size {size} at {rnd.choice(['a', 'a + 64', '240', 'cur', '128 - b'])}"
        if kind == "pool":
            return f"  place {r} size {size} from p align {rnd.choice(['1', '16'])}"
        if kind == "anywhere":
            any_left[0] -= 1
            return f"  place {r} size {size} anywhere {clauses('anywhere')}"
        line = f"  place {r} size {size} {kind} {clauses(kind)}"
        if rnd.random() < 0.3:
            line += f" else {rnd.choice(['topdown', 'bottomup'])} {clauses(kind)}"
        if rnd.random() < 0.2:
            line += " else none"
        return line

    def body(stage_regions: list[str], k: int, common: bool) -> list[str]:
        lines = []
        for _ in range(k):
            c = rnd.random()
            if c < 0.55 or not live:
                lines.append(place_line(stage_regions))
                if common:
                    live.append(stage_regions[-1])
            elif c < 0.62 and common and len([x for x in live[1:] if x != "p"]) > 0:
                victim = rnd.choice([x for x in live[1:] if x != "p"])
                live.remove(victim)
                lines.append(f"  free {victim}")
            elif c < 0.70 and common:
                lines.append(f"  move {rnd.choice(live)} {rnd.choice(['at 64', 'topdown avoid all', 'bottomup below 250'])}")
            elif c < 0.76 and common:
                r = fresh()
                lines.append(f"  copy {rnd.choice(live)} to {r} at {rnd.choice(['0', 'a + 32'])}")
                live.append(r)
            elif c < 0.82 and use_map:
                lines.append(f"  reserve {rnd.choice(live)} in mm as {rnd.choice(['usable', 'reserved'])}")
            elif c < 0.88:
                lines.append(f"  set cur = {rnd.choice(['cur + 16', 'cur - 32', 'a'])}")
            elif c < 0.93:
                lines.append(f"  assume {rnd.choice(live)}.end <= {rnd.choice(['200', '256', 'a + 64'])}")
            else:
                lines.append(f"  set f = {rnd.choice(['not f', 'a > 32'])}")
        return lines

    out.append("stage s0")
    out.append(f"  pool p = [{rnd.choice(['0', '32'])}, {rnd.choice(['128', 'a + 64'])}) "
               f"{rnd.choice(['down', 'up'])}")
    live.append("p")
    s0: list[str] = []
    out.extend(body(s0, rnd.randint(1, 3), True))
    asserted = rnd.random() < 0.4
    if asserted:
        out.append(f"  assert chk: {_pred(rnd, live, use_map)}")
    last = "s0"
    if branch:
        out.append("stage s1 after s0 when mode == x")
        b1: list[str] = []
        out.extend(body(b1, rnd.randint(0, 2), False))
        guard2 = rnd.choice(["mode == y", "mode == y and f", "f"])
        out.append(f"stage s2 after s0 when {guard2}")
        b2: list[str] = []
        out.extend(body(b2, rnd.randint(0, 2), False))
        out.append("stage s3 after s1, s2")
        out.extend(body([], rnd.randint(0, 2), True))
        last = "s3"
        live.extend(b1[:1] + b2[:1])  # branch regions: properties may name them
    out.append("")
    overlay = rnd.random() < 0.35
    if overlay:
        # a design change: replace one of s0's placements, or a parameter
        s0_at = out.index("stage s0")
        s0_end = next((i for i in range(s0_at + 1, len(out)) if out[i].startswith("stage ")),
                      len(out))
        places = [ln for ln in out[s0_at:s0_end]
                  if ln.startswith("  place r") and "from p" not in ln]
        out.append(f"model h{seed} extends g{seed}")
        if places and rnd.random() < 0.7:
            target = rnd.choice(places).split()[1]
            out.append("stage s0")
            out.append(f"  replace place {target} size 16 "
                       f"{rnd.choice(['at 32', 'topdown align 16 avoid all', 'bottomup above 64'])}")
        else:
            out.append(f"param b in {{{rnd.choice(['16', '48, 64', '0'])}}}")
    scope = rnd.choice(["always", "at end", f"after {last}", "during s0", "after s0"])
    out.append(f"proof q{seed}")
    out.append(f"  for g{seed} expect holds")
    if overlay:
        out.append(f"  for h{seed} expect holds")
    out.append(f"  {scope} {_pred(rnd, live, use_map)}")
    return "\n".join(out) + "\n"


def _pred(rnd: random.Random, live: list[str], use_map: bool) -> str:
    x = rnd.choice(live)
    y = rnd.choice(live)
    atoms = [f"disjoint({x}, {y})" if x != y else f"disjoint({x}, g0)",
             f"within({x}, [0, {rnd.choice(['128', '200', '256'])}))",
             f"below({x}, {rnd.choice(['128', 'a + 100', '256'])})",
             f"above({x}, {rnd.choice(['16', 'a'])})",
             f"aligned({x}, {rnd.choice(['16', '32'])})",
             f"nowrap({x})", "capacity(p)",
             f"equal({x}.start, {rnd.choice(['a', 'a + 64', 'cur'])})",
             f"{x}.end - {x}.start <= {rnd.choice(['32', 'b'])}"]
    if use_map:
        atoms += [f"within({x}, mm types {{usable}})", f"disjoint({x}, mm types {{reserved}})"]
    a = rnd.choice(atoms)
    c = rnd.random()
    plain = [t for t in atoms if " types " not in t]
    if c < 0.15:
        return f"not {rnd.choice(plain)}"
    if c < 0.3:
        return f"{a} or {rnd.choice(plain)}"
    if c < 0.45:
        return f"(a > 32) implies {a}"
    if c < 0.55:
        return f"{a} and {rnd.choice(atoms)}"
    return a
