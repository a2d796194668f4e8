"""Names, types and constants of a model's expressions, for pass 2 (:mod:`bootspec.lang.resolve`).

:class:`ExprChecker` holds a model's symbols as they are defined, folds constant
expressions, and checks that every expression has the type its position wants (a
predicate, a function or a field applied to what it takes, a map's types and
attributes named as its kind spells them, divisors and shifts that cannot go
wrong). The declarations it reads them from are resolved by its subclass in
:mod:`bootspec.lang.resolve`.

Errors: BS102 (a name defined twice) and the type errors (see ``bootspec explain-error``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable

from bootspec import memtypes
from bootspec.diagnostics import Collector, Span, did_you_mean, show_int
from bootspec.lang import ast as A
from bootspec.lang.ir import ParamIR, Symbol
from bootspec.lang.vocab import SymbolKind

PREDICATES = {"disjoint", "within", "outside", "below", "above", "aligned", "nowrap",
              "capacity", "equal"}
FUNCTIONS = {"min", "max", "align_up", "align_down", "u8", "u16", "u32", "u64"}
REGION_FIELDS = ("start", "end", "size")
SEGMENT_FIELDS = ("start", "end", "size", "attrs")
MODULAR = {"u8": 8, "u16": 16, "u32": 32, "u64": 64}
#: the largest shift count accepted: 2^1024 is far beyond every address space
MAX_SHIFT = 1024
#: the binary operators constant folding computes besides the shifts (docs/language.md,
#: "C arithmetic": Python's integers are two's complement of unbounded width)
FOLDED: dict[str, Callable[[int, int], int]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.floordiv,
    "%": operator.mod, "&": operator.and_, "|": operator.or_, "^": operator.xor,
}


class ExprChecker:
    """A model's symbols, constant folding and expression types (see the module docstring)."""

    def __init__(self, m: A.ModelAst, path: str, errors: Collector):
        self.m, self.path, self.errors = m, path, errors
        self.symbols: dict[str, Symbol] = {}
        self.width = 0
        self.in_where = False  # checking a 'where' clause: entry.start/end/size exist
        self.bound: dict[str, str] = {}  # quantifier variables in scope -> their map
        self.params: dict[str, ParamIR] = {}  # filled as the parameters are resolved

    # -- symbols
    def define(self, name: str, kind: SymbolKind, typ: str, span: Span,
               value: int | None = None) -> None:
        prev = self.symbols.get(name)
        if prev is not None:
            if prev.kind == "region" and kind == "region":
                return  # a region placed on several paths, or moved: one name
            # regions are defined before consts: blame the later line, naming the earlier's kind
            first, first_kind, later = ((prev.span, prev.kind, span) if prev.span <= span
                                        else (span, kind, prev.span))
            self.errors.error("BS102", f"'{name}' is already defined as {kind_phrase(first_kind)}",
                              later, notes=[(first, "first defined here")])
            return
        self.symbols[name] = Symbol(name, kind, typ, span, value)

    # -- constant folding
    def fold(self, e: A.Expr, check: bool = False) -> int | None:
        """The value of an expression built only from numbers and consts, else None.
        ``check``: a constant context, where every intermediate result must lie in
        [0, 2^64] (BS107 at the operation; docs/language.md, "const")."""
        if isinstance(e, A.Num):
            return e.value
        if isinstance(e, A.Name):
            s = self.symbols.get(e.id)
            return s.value if s is not None and s.kind == "const" else None
        if isinstance(e, A.BinOp):
            a, b = self.fold(e.left, check), self.fold(e.right, check)
            if a is None or b is None:
                return None
            if e.op in "/%" and b == 0:
                return None
            if e.op in ("<<", ">>"):
                if b > MAX_SHIFT:  # 2^b would be absurd (and slow): refused, see _check_shift
                    self._shift_too_large(e.right.span, b)
                    return None
                # a * 2^b; floor(a / 2^b); b < 0: docs/language.md, "C arithmetic": a wrap
                # whose value is 0
                v = 0 if b < 0 else a << b if e.op == "<<" else a >> b
            elif e.op in FOLDED:
                v = FOLDED[e.op](a, b)
            else:
                return None
            if check and not 0 <= v <= 1 << 64:
                self.errors.error("BS107", f"{show_int(a)} {e.op} {show_int(b)} = {show_int(v)} "
                                  "lies outside [0, 2^64]", e.span, "a constant expression "
                                  "is folded step by step, and no step may leave [0, 2^64]")
            return v
        if isinstance(e, A.Call) and e.fn in FUNCTIONS:
            vals = [self.fold(x, check) for x in e.args]
            if any(v is None for v in vals) or not vals:
                return None
            ints = [v for v in vals if v is not None]
            if e.fn == "min":
                return min(ints)
            if e.fn == "max":
                return max(ints)
            if len(ints) == 2 and ints[1] > 0:
                x, a = ints
                return -(-x // a) * a if e.fn == "align_up" else x - x % a
        return None

    def const_value(self, e: A.Expr, what: str) -> int | None:
        self.check(e, "int")
        v = self.fold(e, check=True)
        if v is None:
            self.errors.error("BS108", f"{what} must be a constant expression", e.span,
                              "use numbers and 'const' names only")
        return v

    # -- type checking
    def check(self, e: A.Expr, want: str, *, polarity: int = 1) -> str:
        """Check ``e`` has type ``want`` (int | bool | region | any); return its type."""
        got = self._type(e, polarity)
        if got is None:
            return want
        ok = (want == "any" or got == want or (want == "int" and got.startswith("enum:"))
              or (want == "region" and got in ("region", "range", "regionset")))
        if not ok:
            self.errors.error("BS103", f"expected {article(want)}, found {article(got)}", e.span)
        return got

    def _type(self, e: A.Expr, pol: int) -> str | None:
        if isinstance(e, A.Num):
            if e.value > 1 << 64:  # docs/language.md, "Files and lines"
                self.errors.error("BS107", f"the number {show_int(e.value)} is larger than "
                                  "2^64, beyond every address space", e.span,
                                  "numbers are addresses and sizes: at most 2^64")
            return "int"
        if isinstance(e, A.BoolLit):
            return "bool"
        if isinstance(e, A.Name):
            s = self.symbols.get(e.id)
            if s is None:
                self.errors.error("BS101", f"unknown name '{e.id}'", e.span,
                                  did_you_mean(e.id, self.symbols))
                return None
            if s.kind == "enumval":
                return "enumval"
            return s.type
        if isinstance(e, A.Attr):
            if e.base in self.bound or (e.base == "entry" and e.base not in self.symbols):
                if e.base == "entry" and not self.in_where and "entry" not in self.bound:
                    self.errors.error("BS101", "'entry' names a map segment only inside a "
                                      "'where' clause", e.span,
                                      "write 'in MAP types {...} where entry.end <= X'")
                    return None
                if e.field not in SEGMENT_FIELDS:
                    self.errors.error("BS101", f"a map segment has no field '{e.field}'",
                                      e.span, f"use {e.base}.start, .end, .size or .attrs")
                    return None
                return "int"
            s = self.symbols.get(e.base)
            if s is None:
                self.errors.error("BS101", f"unknown region '{e.base}'", e.span,
                                  did_you_mean(e.base, [k for k, v in self.symbols.items()
                                                        if v.type == "region"]))
                return None
            if s.type != "region":
                self.errors.error("BS103", f"'{e.base}' is a {s.kind}, not a region; only regions "
                                  "have .start/.end/.size", e.span)
                return None
            if e.field == "cursor" and s.kind == "pool":
                return "int"
            if e.field not in REGION_FIELDS:
                self.errors.error("BS101", f"regions have no field '{e.field}'", e.span,
                                  "use .start, .end or .size (and .cursor for a pool)")
                return None
            return "int"
        if isinstance(e, A.BinOp):
            lt, rt = self._type(e.left, 0), self._type(e.right, 0)
            for t, x in ((lt, e.left), (rt, e.right)):
                if t is not None and t != "int" and not t.startswith("enum:"):
                    hint = None
                    if t == "bool" and e.op in "&|^":
                        hint = (f"as in C, '{e.op}' binds looser than comparisons: write "
                                f"'(a {e.op} b) == c' for a comparison of the result")
                    self.errors.error("BS103", f"expected an integer, found {article(t)}",
                                      x.span, hint)
            if e.op in ("<<", ">>"):
                self._check_shift(e.right)
            return "int"
        if isinstance(e, A.BitNot):
            self.check(e.operand, "int")
            return "int"
        if isinstance(e, A.Quant):
            if e.map is None:  # expanded before checking; only left by a bad bound
                return "bool"
            self._bind(e.var, e.span, e.map, e.types)
            try:
                self.check(e.body, "bool", polarity=pol)
            finally:
                self.bound.pop(e.var, None)
            return "bool"
        if isinstance(e, A.Aggregate):
            self._bind(e.var, e.span, e.map, e.types)
            try:
                if e.where is not None:
                    self.check(e.where, "bool", polarity=0)
                if e.value is not None:
                    self.check(e.value, "int")
            finally:
                self.bound.pop(e.var, None)
            return "int"
        if isinstance(e, A.RegionSet):
            self.check(e.left, "region")
            self.check(e.right, "region")
            return "regionset"
        if isinstance(e, A.Compare):
            for a, b in ((e.left, e.right), (e.right, e.left)):
                sa = self.symbols.get(a.id) if isinstance(a, A.Name) else None
                if isinstance(b, A.Name) and b.id not in self.symbols and sa is not None \
                        and sa.type.startswith("enum:"):
                    vals = self._enum_values(sa.type[5:])
                    self.errors.error("BS121", f"'{b.id}' is not a value of '{a.id}'",  # type: ignore[union-attr]
                                      b.span, f"its values are {{{', '.join(vals)}}}")
                    return "bool"
            lt, rt = self._type(e.left, 0), self._type(e.right, 0)
            if lt is None or rt is None:
                return "bool"
            if "enumval" in (lt, rt):
                other, side = (rt, e.right) if lt == "enumval" else (lt, e.left)
                val = e.left if lt == "enumval" else e.right
                assert isinstance(val, A.Name)
                if not other.startswith("enum:"):
                    self.errors.error("BS103", f"'{val.id}' is an enum value; compare it with an "
                                      "enum parameter", val.span)
                elif val.id not in self._enum_values(other[5:]):
                    values = ", ".join(self._enum_values(other[5:]))
                    self.errors.error("BS121", f"'{val.id}' is not a value of '{other[5:]}'",
                                      val.span, f"its values are {{{values}}}")
                if e.op not in ("==", "!="):
                    self.errors.error("BS103", "enum values compare only with == and !=", e.span)
                del side
                return "bool"
            if lt == "bool" and rt == "bool" and e.op in ("==", "!="):
                return "bool"
            for t, x in ((lt, e.left), (rt, e.right)):
                if t != "int" and not t.startswith("enum:"):
                    self.errors.error("BS103", f"expected an int, found {article(t)}", x.span)
            return "bool"
        if isinstance(e, A.Not):
            self.check(e.operand, "bool", polarity=-pol)
            return "bool"
        if isinstance(e, A.BoolOp):
            if e.op == "implies":
                self.check(e.operands[0], "bool", polarity=-pol)
                self.check(e.operands[1], "bool", polarity=pol)
            else:
                for x in e.operands:
                    self.check(x, "bool", polarity=pol)
            return "bool"
        if isinstance(e, A.Ite):
            self.check(e.cond, "bool", polarity=0)
            t = self.check(e.then, "any", polarity=pol)
            self.check(e.other, t if t in ("int", "bool") else "any", polarity=pol)
            return t
        if isinstance(e, A.RangeLit):
            self.check(e.lo, "int")
            self.check(e.hi, "int")
            if e.inclusive:
                self.errors.error("BS116", "a region is half-open: write [start, end)", e.span,
                                  "NOTE(ranges): end is exclusive; for an inclusive last byte b "
                                  "write [start, b + 1)")
            return "range"
        if isinstance(e, A.MapTypes):
            return self._map_types(e)
        if isinstance(e, A.Call):
            return self._call(e, pol)
        raise AssertionError(type(e))

    def _enum_values(self, param: str) -> list[str]:
        return [s.name for s in self.symbols.values()
                if s.kind == "enumval" and s.type == f"enum:{param}"]

    def _map_types(self, e: A.MapTypes) -> str:
        s = self.symbols.get(e.map)
        if s is None or s.kind != "map":
            self.errors.error("BS101", f"unknown map '{e.map}'", e.span,
                              did_you_mean(e.map, [k for k, v in self.symbols.items()
                                                   if v.kind == "map"]))
            return "maptypes"
        kind = s.type.split(":")[1]
        self.check_types(kind, e.types, e.span)
        return "maptypes"

    def check_types(self, kind: str, types: Iterable[str], span: Span) -> None:
        known = memtypes.TYPES_BY_KIND[kind]
        for t in types:
            if t not in known:
                self.errors.error("BS120", f"'{t}' is not an {kind} memory type", span,
                                  did_you_mean(t, known) or f"known: {', '.join(known)}")

    def _call(self, e: A.Call, pol: int) -> str:
        fn, args = e.fn, e.args
        if fn in FUNCTIONS:
            n = {"align_up": 2, "align_down": 2, "u8": 1, "u16": 1, "u32": 1, "u64": 1}.get(fn)
            if (n is not None and len(args) != n) or not args:
                self.errors.error("BS103", f"{fn}() takes {n or 'one or more'} arguments", e.span)
                return "int"
            for a in args:
                self.check(a, "int")
            if fn.startswith("align"):
                self._check_divisor(args[1], "an alignment")
            return "int"
        if fn not in PREDICATES:
            self.errors.error("BS101", f"unknown function '{fn}'", e.span,
                              did_you_mean(fn, PREDICATES | FUNCTIONS))
            return "bool"
        if fn in ("within", "outside", "disjoint") and any(isinstance(a, A.MapTypes) for a in args):
            if len(args) != 2 or not isinstance(args[1], A.MapTypes):
                self.errors.error("BS103", f"{fn}(REGION, MAP types {{...}}) takes a region "
                                  "then the map's types", e.span)
                return "bool"
            if self.check(args[0], "region") == "regionset":
                self.errors.error("BS103", f"{fn}(REGION, MAP types {{...}}) takes a region, not "
                                  "a set of addresses", args[0].span,
                                  "state it for each region of the set")
            self._map_types(args[1])
            return "bool"
        arity = {"disjoint": (2, 99), "within": (2, 2), "outside": (2, 2), "below": (2, 2),
                 "above": (2, 2), "aligned": (2, 2), "nowrap": (1, 1), "capacity": (1, 1),
                 "equal": (2, 2)}[fn]
        if not arity[0] <= len(args) <= arity[1]:
            self.errors.error("BS103", f"{fn}() takes {arity[0]}"
                              f"{'' if arity[0] == arity[1] else ' or more'} arguments", e.span)
            return "bool"
        if fn == "nowrap" and not isinstance(args[0], A.Name):
            self.errors.error("BS103", "nowrap() takes a region's name", args[0].span,
                              "it tests whether that region is well-formed")
            return "bool"
        if fn == "capacity":
            a = args[0]
            sym = self.symbols.get(a.id) if isinstance(a, A.Name) else None
            if sym is None or sym.kind != "pool":
                self.errors.error("BS103", "capacity() takes a pool name", a.span)
            return "bool"
        if fn == "equal":
            self.check(args[0], "int")
            self.check(args[1], "int")
            return "bool"
        if fn == "outside":
            self.errors.error("BS103", "outside() takes a region and MAP types {...}", e.span,
                              "for two regions use disjoint(a, b)")
            return "bool"
        region_args = args if fn in ("disjoint", "within") else args[:1]
        for a in region_args:
            if self.check(a, "region") == "regionset" and fn not in ("disjoint", "within"):
                self.errors.error("BS103", f"{fn}() takes a region, not a set of addresses",
                                  a.span, "'union' and 'minus' go in disjoint() and within()")
        if fn in ("below", "above", "aligned"):
            self.check(args[1], "int")
        if fn == "aligned":
            self._check_divisor(args[1], "an alignment")
        return "bool"

    def _check_shift(self, e: A.Expr) -> None:
        """A shift count is a constant or a parameter with a small finite domain, at
        most :data:`MAX_SHIFT`."""
        k = self.fold(e)
        if k is not None:
            if k > MAX_SHIFT:
                self._shift_too_large(e.span, k)
            return
        if isinstance(e, A.Name):
            p = self.params.get(e.id)
            dom = p.domain() if p is not None else None
            if dom is not None and len(dom) <= 256:
                if dom and max(dom) > MAX_SHIFT:
                    self._shift_too_large(e.span, max(dom), e.id)
                return
        self.errors.error("BS108", "a shift count must be a constant or a parameter with at "
                          "most 256 values", e.span, "'1 << order' with 'param order in [0, 11]'")

    def _shift_too_large(self, span: Span, k: int, param: str | None = None) -> None:
        """BS107: a shift count above :data:`MAX_SHIFT` (the same message wherever it is
        seen, so that folding and type checking report it once)."""
        what = (f"the shift count '{param}' may be {show_int(k)}" if param
                else f"the shift count {show_int(k)}")
        self.errors.error("BS107", f"{what}, larger than {MAX_SHIFT}", span,
                          "'a << k' is a * 2^k: a count beyond 64 already leaves every "
                          "address space")

    def _bind(self, var: str, span: Span, mapname: str, types: tuple[str, ...]) -> None:
        """Bind a quantifier's variable to a map's segments."""
        if var in self.symbols or var in self.bound:
            self.errors.error("BS102", f"'{var}' is already a name here; a quantifier's "
                              "variable needs a name of its own", span)
        s = self.symbols.get(mapname)
        if s is None or s.kind != "map":
            self.errors.error("BS101", f"unknown map '{mapname}'", span,
                              did_you_mean(mapname, [k for k, v in self.symbols.items()
                                                     if v.kind == "map"]))
        elif types:
            self.check_types(s.type.split(":")[1], types, span)
        self.bound[var] = mapname

    def _finite(self, e: A.Expr) -> bool:
        if isinstance(e, A.Name):
            s = self.symbols.get(e.id)
            if s is not None and s.kind == "param":
                p = self.params.get(e.id)
                return p is not None and p.kind == "set"
        return False

    def _check_divisor(self, e: A.Expr, what: str) -> None:
        v = self.fold(e)
        if v is None:
            if not self._finite(e):
                self.errors.error("BS109", f"{what} must be a constant or a parameter with a "
                                  "finite set of values", e.span)
                return
            assert isinstance(e, A.Name)  # _finite: a parameter's name
            p = self.params[e.id]
            if 0 in p.values:
                self.errors.error("BS109", f"{what} can be 0 ('{p.name}' may be 0)", e.span)
        elif v <= 0:
            self.errors.error("BS109", f"{what} must be positive, not {show_int(v)}", e.span)

    # -- the model

def article(t: str) -> str:
    names = {"int": "an integer", "bool": "a boolean", "region": "a region", "range": "a range",
             "maptypes": "map memory (MAP types {...})", "enumval": "an enum value",
             "any": "a value", "map": "a map"}
    if t.startswith("enum:"):
        return f"an enum ({t[5:]})"
    if t.startswith("map:"):
        return "a map"
    return names.get(t, t)


def kind_phrase(kind: SymbolKind) -> str:
    return {"enumval": "an enum value", "region": "a region", "map": "a map", "pool": "a pool",
            "const": "a const", "param": "a param", "var": "a var"}.get(kind, f"a {kind}")
