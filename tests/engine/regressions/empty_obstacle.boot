# Regression: an empty region [128, 128) inside the search range was counted as an
# obstacle (the half-open overlap test did not require both ranges to be non-empty),
# so the top-down move below was reported as not fitting. Found by the brute-force
# oracle on a generated model; kept here in its shrunk form.
model empty_obstacle
  width 8
param a in [0, 128] align 32
region g0 = [a, 128)
stage s0
  pool p = [32, a + 64) down
  move p topdown avoid all

proof moved_pool_fits
  for empty_obstacle expect holds
  at end within(p, [0, 256))
