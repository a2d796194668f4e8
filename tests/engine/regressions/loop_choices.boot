# Regression: the 'anywhere' choice of a line repeated by a loop was one input for
# every repetition (its name came from the line's position only), so the repetitions
# were forced to choose the same address; each is now an input of its own. Also, a
# choice that is not read (its placement found no room and gave up) is still an
# address, so the canonical counterexample shows 0 there, not what the solver picked.
model loop_choices
  width 8
param a in {0, 128}
stage s
  for i in [0, 2)
    place r[i] size 32 anywhere within [0, 128) align 32 avoid all
  end
  place late size a + 16 anywhere above a align 64 else none
proof apart
  for loop_choices expect holds
  always disjoint(r[0], r[1])
proof second_at_zero
  for loop_choices expect violated
  at end r[1].start == 0
