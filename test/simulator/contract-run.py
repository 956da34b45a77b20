# Runs one contract scenario on contract.c's Node (argv: scenario name); prints one JSON line:
# what each gc.collect() returned, and whether a held object's references were cleared.
import gc, json, sys
import contract
from contract import Node

def incomplete():  # a self-cycle through b, which traverse never visits
    contract.set_mode(1)
    x = Node(); contract.set(x, None, x)

def clear_none():  # a self-cycle through a; clear releases nothing
    contract.set_mode(3)
    x = Node(); contract.set(x, x, None)

def double_garbage():  # a self-cycle through b, visited twice
    contract.set_mode(2)
    x = Node(); contract.set(x, None, x)

held = []
def double_held():  # garbage x visits t (also held from outside) twice
    contract.set_mode(2)
    t = Node(); u = Node(); contract.set(t, u, None)
    held.append(t)
    x = Node(); contract.set(x, x, t)

gc.disable()
gc.collect()
{'incomplete': incomplete, 'clear-none': clear_none, 'double-garbage': double_garbage, 'double-held': double_held}[sys.argv[1]]()
# double-held: a young collection, where the old list holding t is outside the collected set.
first = gc.collect(0) if sys.argv[1] == 'double-held' else gc.collect()
counts = [first] + [gc.collect() for _ in range(2)]
out = {'counts': counts}
if held: out['heldCleared'] = not contract.has_refs(held[0])
print(json.dumps(out), flush=True)
