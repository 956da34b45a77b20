"""CPython side of the GC benchmark: builds a heapgraph file as Python lists and times a full
gc.collect(). Prints one JSON line, the same shape as `traverse-guard gc-bench`:
  {"python": "3.11", "nodes": N, "edges": E, "collected": C, "seconds": best}
Usage: python3 bench/gc/cpython-gc-bench.py FILE [--runs N]
The graph is rebuilt for every run (building is not timed); seconds = best of the runs."""
import gc
import json
from array import array
import sys
import time


def load(path):
    """The graph as flat arrays of C longs (not GC objects, so the loaded graph adds nothing
    to what gc.collect() has to traverse)."""
    external, offsets, targets = array("l"), array("l", [0]), array("l")
    with open(path) as f:
        header = f.readline().split()
        if len(header) != 4 or header[0] != "heapgraph" or header[1] != "1":
            raise SystemExit("line 1: bad header")
        nodes, edges = int(header[2]), int(header[3])
        for line in f:
            t = line.split()
            external.append(int(t[0]))
            targets.extend(map(int, t[2:]))
            offsets.append(len(targets))
    return nodes, edges, (external, offsets, targets)


def build(nodes, graph):
    """Node i = a list of its targets; `root` holds the external references. Returns only
    `root`, so every other temporary is released when this function returns."""
    external, offsets, targets = graph
    objs = [[] for _ in range(nodes)]
    root = []
    for i in range(nodes):
        lst = objs[i]
        for e in range(offsets[i], offsets[i + 1]):
            lst.append(objs[targets[e]])
        for _ in range(external[i]):
            root.append(lst)
    return root


def main():
    args = sys.argv[1:]
    runs = 3
    if "--runs" in args:
        k = args.index("--runs")
        runs = int(args[k + 1])
        del args[k : k + 2]
    nodes, edges, graph = load(args[0])
    gc.disable()
    best = None
    collected = None
    for _ in range(runs):
        gc.collect()
        root = build(nodes, graph)
        t0 = time.perf_counter()
        n = gc.collect()
        dt = time.perf_counter() - t0
        del root
        gc.collect()
        best = dt if best is None else min(best, dt)
        collected = n
    v = sys.version_info
    print(json.dumps({"python": "%d.%d" % (v[0], v[1]), "nodes": nodes, "edges": edges,
                      "collected": collected, "seconds": round(best, 6)}))


main()
