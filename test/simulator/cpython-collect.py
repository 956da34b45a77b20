"""CPython side of the differential test (test/simulator/differential.test.ts).
Reads a file of concatenated heap graphs (docs/heapgraph.md), builds each as lists
inside a function (so no frame locals survive), runs one full gc.collect() with the collector
disabled, and prints a JSON list: per graph {"collected": n, "before": stats, "after": stats}."""
import gc
import json
import sys


def read_graphs(path):
    with open(path) as f:
        lines = f.read().split("\n")
    graphs, i = [], 0
    while i < len(lines) and lines[i]:
        head = lines[i].split()
        assert head[:2] == ["heapgraph", "1"], "line %d: bad header" % (i + 1)
        n = int(head[2])
        rows = []
        for line in lines[i + 1 : i + 1 + n]:
            t = [int(x) for x in line.split()]
            rows.append((t[0], t[2:]))
        graphs.append(rows)
        i += 1 + n
    return graphs


def build(rows):
    """Node i = a list of its targets; `root` holds the external references."""
    objs = [[] for _ in rows]
    root = []
    for i, (ext, targets) in enumerate(rows):
        for t in targets:
            objs[i].append(objs[t])
        for _ in range(ext):
            root.append(objs[i])
    return root


def main():
    graphs = read_graphs(sys.argv[1])
    gc.disable()
    out = []
    for rows in graphs:
        gc.collect()
        root = build(rows)
        before = gc.get_stats()
        n = gc.collect()
        after = gc.get_stats()
        out.append({"collected": n, "before": before, "after": after})
        del root
    print(json.dumps(out))


main()
