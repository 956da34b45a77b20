# Runs the free-then-visit scenario (test/simulator/freevisit.c): one armed Holder, one collection.
import gc
import freevisit
gc.disable()
gc.collect()
h = freevisit.Holder()
freevisit.arm(h)
print("collect ->", gc.collect(), flush=True)
