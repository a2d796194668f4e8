# Regression: a top-down first fit whose size wrapped (a - 32 with a = 0 is -32,
# a tainted value) has its highest start at 2^width, not at hi - size (which is
# above 2^width). The engine's candidate was hi - size only, found it invalid, and
# reported "no room", so the run stopped there and the assert after it was never
# reached: a false "holds". Found by the three-way soak (seed 1007), where the
# enumeration and the reference interpreter both saw the assert fail.
model negative_size_topdown
  width 8
param a in [0, 128] align 32
stage s0
  place r1 size a - 32 topdown within [0, 256) above 8 align 32
  assert chk: aligned(r1, 32)
expect chk violated
expect wrap@L11 violated
