# Runs the self-free scenario (test/simulator/selffree.c): argv = objects kept before and after the target.
import gc, sys
import selffree
before, after = int(sys.argv[1]), int(sys.argv[2])
gc.disable()
gc.collect()
keep_before = [selffree.Node() for _ in range(before)]
t = selffree.Node()
keep_after = [selffree.Node() for _ in range(after)]
selffree.arm(t)
del t
print("collect ->", gc.collect(), flush=True)
