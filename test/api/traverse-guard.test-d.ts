// Type tests for the traverse guard (issue 3, "Type-level guard"): inside `traverse(self, visit)`
// of a pyclass spec, every way to reach the interpreter or mutate `self` is a compile error —
// one `@ts-expect-error <reason>` per form, each beside a positive control that compiles. An
// unused `@ts-expect-error` is itself an error (TS2578), so each expectation can fail. The text
// after "— says:" is what the compiler's message must contain (test/api/type-messages.test.ts).
import { describe, expectTypeOf, test } from 'vitest';
import {
  Py,
  Py_DECREF,
  Py_INCREF,
  Python,
  TraverseError,
  Visit,
  field,
  pyclass,
  type Borrowed,
  type Bound,
  type Instance,
  type PyClass,
  type PyRefMut,
  type ReadonlyRefCell,
  type ReadonlyRefList,
  type RefCell,
  type RefList,
  type TraverseFn,
  type TraverseHasNo_this_use_self,
  type TraverseMustBeSynchronous_and_return_nothing,
  type TraverseSelf,
} from 'traverse-guard';

declare const py: Python;
const Leaf = pyclass('Leaf', { fields: { n: field.int() } });
type Leaf = typeof Leaf;
declare const owned: Py<Leaf>;
declare const cellOutside: RefCell<Leaf>;
declare const listOutside: RefList<Leaf>;

const fields = {
  x: field.ref<Leaf>(),
  o: field.optionalRef<Leaf>(),
  cell: field.cell<Leaf>(),
  list: field.list<Leaf>(),
  n: field.int(),
  flag: field.bool(),
  s: field.str(),
  v: field.value({ a: { b: 1 }, arr: [1, 2], items: [{ k: 'x' }] }),
  m: field.value(new Map<string, number>()),
  set: field.value(new Set<number>()),
  // References and capabilities stored in plain value fields (a schema mistake the types tolerate):
  pv: field.value<Py<Leaf> | null>(null),
  nested: field.value<{ inner: Py<Leaf>[] }>({ inner: [] }),
  tok: field.value<Python | null>(null),
  bnd: field.value<Bound<Leaf> | null>(null),
};
type F = typeof fields;

describe('the views traverse receives', () => {
  test('reference fields are borrowed, cells and lists read-only, values deeply readonly', () => {
    expectTypeOf<TraverseSelf<F>['x']>().toEqualTypeOf<Borrowed<Leaf>>();
    expectTypeOf<TraverseSelf<F>['o']>().toEqualTypeOf<Borrowed<Leaf> | null>();
    expectTypeOf<TraverseSelf<F>['cell']>().toEqualTypeOf<ReadonlyRefCell<Leaf>>();
    expectTypeOf<TraverseSelf<F>['list']>().toEqualTypeOf<ReadonlyRefList<Leaf>>();
    expectTypeOf<TraverseSelf<F>['n']>().toEqualTypeOf<number>();
    expectTypeOf<TraverseSelf<F>['m']>().toEqualTypeOf<ReadonlyMap<string, number>>();
    expectTypeOf<TraverseSelf<F>['set']>().toEqualTypeOf<ReadonlySet<number>>();
    expectTypeOf<TraverseSelf<F>['v']['arr']>().toEqualTypeOf<readonly number[]>();
    // …while clear sees the mutable instance.
    expectTypeOf<Instance<F>['x']>().toEqualTypeOf<Py<Leaf>>();
    expectTypeOf<Instance<F>['cell']>().toEqualTypeOf<RefCell<Leaf>>();
    expectTypeOf<Instance<F>['list']>().toEqualTypeOf<RefList<Leaf>>();
  });

  test('TraverseFn is exactly (self, visit) returns nothing (void | undefined | brand) with a void this', () => {
    expectTypeOf<TraverseFn<F>>().parameter(0).toEqualTypeOf<TraverseSelf<F>>();
    expectTypeOf<TraverseFn<F>>().parameter(1).toEqualTypeOf<Visit>();
    expectTypeOf<TraverseFn<F>>().thisParameter.toEqualTypeOf<void & TraverseHasNo_this_use_self>();
    expectTypeOf<TraverseFn<F>>().returns.toEqualTypeOf<void | undefined | TraverseMustBeSynchronous_and_return_nothing>();
    expectTypeOf<Visit>().not.toExtend<Python>();
    expectTypeOf<Borrowed<Leaf>>().not.toExtend<Py<Leaf>>();
  });
});

describe('references inside traverse', () => {
  test('drop', () => {
    owned.drop(); // control: an owned Py drops
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.x); // control
        // @ts-expect-error a borrowed reference has no drop() — says: Property 'drop' does not exist on type 'Borrowed<
        self.x.drop();
      },
    });
  });

  test('drop through an optional reference, a cell get() and a list item', () => {
    pyclass('A', {
      fields,
      traverse(self, visit) {
        if (self.o) visit.call(self.o); // control
        // @ts-expect-error optional reference: borrowed, no drop() — says: Property 'drop' does not exist on type 'Borrowed<
        if (self.o) self.o.drop();
        const got = self.cell.get();
        visit.call(got); // control
        // @ts-expect-error cell.get() hands out a borrow, no drop() — says: Property 'drop' does not exist on type 'Borrowed<
        got?.drop();
        for (const item of self.list) {
          visit.call(item); // control
          // @ts-expect-error a list item is borrowed, no drop() — says: Property 'drop' does not exist on type 'Borrowed<
          item.drop();
        }
      },
    });
  });

  test('cloneRef', () => {
    owned.cloneRef(py).drop(); // control
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.x);
        // @ts-expect-error a borrowed reference cannot be cloned (no cloneRef, no token) — says: Property 'cloneRef' does not exist on type 'Borrowed<
        self.x.cloneRef(py);
      },
    });
  });

  test('bind, borrow, borrowMut', () => {
    owned.bind(py); // controls
    owned.borrow(py);
    owned.borrowMut(py);
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.x);
        // @ts-expect-error no bind(): it needs the interpreter — says: Property 'bind' does not exist on type 'Borrowed<
        self.x.bind(py);
      },
    });
    pyclass('B', {
      fields,
      traverse(self, visit) {
        visit.call(self.x);
        // @ts-expect-error no borrowMut(): it needs the interpreter and a mutable borrow — says: Property 'borrowMut' does not exist on type 'Borrowed<
        self.x.borrowMut(py);
      },
    });
    pyclass('C', {
      fields,
      traverse(self, visit) {
        visit.call(self.x);
        // @ts-expect-error no borrow(): it needs the interpreter — says: Property 'borrow' does not exist on type 'Borrowed<
        self.x.borrow(py);
      },
    });
  });

  test('a borrow is not an owned Py', () => {
    const keep: Py<Leaf> = owned; // control
    void keep;
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.x);
        // @ts-expect-error Borrowed is not assignable to Py (it could be dropped or moved) — says: Type 'Borrowed<
        const stolen: Py<Leaf> = self.x;
        void stolen;
      },
    });
  });

  test('a traverse cannot move a borrowed reference into a new object', () => {
    const Holder = pyclass('Holder', { fields: { r: field.ref<Leaf>() }, traverse: (self, visit) => visit.call(self.r) });
    Py.new(py, Holder, { r: owned }); // control
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.x);
        // @ts-expect-error init takes owned references, not borrows — says: Type 'Borrowed<
        Py.new(py, Holder, { r: self.x });
      },
    });
  });
});

describe('cells inside traverse', () => {
  test('take', () => {
    cellOutside.take(); // control
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.cell.get()); // control
        // @ts-expect-error a read-only cell has no take() — says: Property 'take' does not exist on type 'ReadonlyRefCell<
        self.cell.take();
      },
    });
  });

  test('set', () => {
    cellOutside.set(null); // control
    pyclass('A', {
      fields,
      traverse(self, visit) {
        if (!self.cell.isEmpty()) visit.call(self.cell.get()); // control
        // @ts-expect-error a read-only cell has no set() — says: Property 'set' does not exist on type 'ReadonlyRefCell<
        self.cell.set(null);
      },
    });
  });

  test('replace', () => {
    cellOutside.replace(owned); // control
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.cell.get());
        // @ts-expect-error a read-only cell has no replace() — says: Property 'replace' does not exist on type 'ReadonlyRefCell<
        self.cell.replace(owned);
      },
    });
  });

  test('clear', () => {
    cellOutside.clear(); // control
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.cell.get());
        // @ts-expect-error a read-only cell has no clear() — says: Property 'clear' does not exist on type 'ReadonlyRefCell<
        self.cell.clear();
      },
    });
  });
});

describe('lists inside traverse', () => {
  test('push', () => {
    listOutside.push(owned); // control
    pyclass('A', {
      fields,
      traverse(self, visit) {
        for (const x of self.list) visit.call(x); // control
        // @ts-expect-error a read-only list has no push() — says: Property 'push' does not exist on type 'ReadonlyRefList<
        self.list.push(owned);
      },
    });
  });

  test('pop', () => {
    listOutside.pop(); // control
    pyclass('A', {
      fields,
      traverse(self, visit) {
        self.list.forEach((x) => visit.call(x)); // control
        // @ts-expect-error a read-only list has no pop() — says: Property 'pop' does not exist on type 'ReadonlyRefList<
        self.list.pop();
      },
    });
  });

  test('set, splice, clear', () => {
    listOutside.set(0, owned); // controls
    listOutside.splice(0, 1);
    listOutside.clear();
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.list.at(0)); // control
        // @ts-expect-error a read-only list has no set() — says: Property 'set' does not exist on type 'ReadonlyRefList<
        self.list.set(0, owned);
        // @ts-expect-error a read-only list has no splice() — says: Property 'splice' does not exist on type 'ReadonlyRefList<
        self.list.splice(0, 1);
        // @ts-expect-error a read-only list has no clear() — says: Property 'clear' does not exist on type 'ReadonlyRefList<
        self.list.clear();
      },
    });
  });
});

describe('fields inside traverse', () => {
  test('reads of primitive and nested value fields compile', () => {
    pyclass('A', {
      fields,
      traverse(self, visit) {
        if (self.flag && self.n > 0 && self.s.length > 0 && self.v.a.b === 1 && self.v.arr[0] === 1) visit.call(self.x);
        if (self.m.get('k') === 1 && self.set.has(2) && self.v.items[0].k === 'x') visit.call(self.o);
      },
    });
  });

  test('assignment to a field', () => {
    pyclass('A', {
      fields,
      traverse(self, visit) {
        const n: number = self.n; // control
        void n;
        visit.call(self.x);
        // @ts-expect-error self is readonly: no assignment to a primitive field — says: Cannot assign to 'n' because it is a read-only property
        self.n = 1;
        // @ts-expect-error self is readonly: no assignment to a reference field (it would drop the old one) — says: Cannot assign to 'o' because it is a read-only property
        self.o = null;
      },
    });
  });

  test('delete of a field', () => {
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.o);
        // @ts-expect-error self is readonly: no delete (it would drop the reference) — says: The operand of a 'delete' operator cannot be a read-only property
        delete self.o;
      },
    });
  });

  test('mutation of a nested field.value object', () => {
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.x);
        const b: number = self.v.a.b; // control
        void b;
        // @ts-expect-error deep readonly: nested object property — says: Cannot assign to 'b' because it is a read-only property
        self.v.a.b = 2;
        // @ts-expect-error deep readonly: nested array has no push() — says: Property 'push' does not exist on type 'readonly number[]'
        self.v.arr.push(3);
        // @ts-expect-error deep readonly: nested array element — says: Index signature in type 'readonly number[]' only permits reading
        self.v.arr[0] = 5;
        // @ts-expect-error deep readonly: object inside a nested array — says: Cannot assign to 'k' because it is a read-only property
        self.v.items[0].k = 'y';
        // @ts-expect-error deep readonly: a Map value is a ReadonlyMap (no set()) — says: Property 'set' does not exist on type 'ReadonlyMap<
        self.m.set('k', 1);
        // @ts-expect-error deep readonly: a Set value is a ReadonlySet (no add()) — says: Property 'add' does not exist on type 'ReadonlySet<
        self.set.add(1);
      },
    });
  });

  test('a Py stored in a plain value field is borrowed in traverse', () => {
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.pv); // controls: it can still be visited
        for (const x of self.nested.inner) visit.call(x);
        // @ts-expect-error a Py in a value field is seen as a borrow: no drop() — says: Property 'drop' does not exist on type 'Borrowed<
        self.pv?.drop();
        // @ts-expect-error a Py nested in a value object is a borrow too: no cloneRef() — says: Property 'cloneRef' does not exist on type 'Borrowed<
        self.nested.inner[0].cloneRef(py);
      },
    });
  });

  test('a Python token or a Bound stored in a value field is opaque in traverse', () => {
    Python.withGil((p) => p.newPool().drop()); // control: a token outside traverse
    pyclass('A', {
      fields,
      traverse(self, visit) {
        if (self.tok !== null && self.bnd !== null) visit.call(self.x); // control: reads compile
        // @ts-expect-error a token in a value field is opaque: no newPool() — says: Property 'newPool' does not exist on type 'HiddenFromTraverse'
        self.tok?.newPool();
        // @ts-expect-error a Bound in a value field is opaque: no borrowMut() — says: Property 'borrowMut' does not exist on type 'HiddenFromTraverse'
        self.bnd?.borrowMut();
      },
    });
  });

  test('self cannot be passed where the mutable instance is expected', () => {
    const mutate = (s: Instance<F>) => s.cell.take();
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.x);
        // @ts-expect-error TraverseSelf is not an Instance (read-only cell, borrowed references) — says: Argument of type 'TraverseSelf<
        mutate(self);
      },
      clear(self) {
        mutate(self); // control: clear has the mutable instance
      },
    });
  });
});

describe('the traverse signature', () => {
  test('a third parameter (an interpreter token), required', () => {
    pyclass('A', { fields, traverse: (self, visit) => visit.call(self.x) }); // control
    pyclass('B', {
      fields,
      // @ts-expect-error traverse takes exactly (self, visit): no Python token — says: TraverseTakesOnly_self_and_visit
      traverse(self, visit, token: Python) {
        visit.call(self.x);
        void token;
      },
    });
  });

  test('a third parameter, optional', () => {
    pyclass('A', {
      fields,
      // @ts-expect-error traverse takes exactly (self, visit): not even an optional token — says: TraverseTakesOnly_self_and_visit
      traverse(self, visit, token?: Python) {
        visit.call(self.x);
        void token;
      },
    });
  });

  test('this typed as the full instance', () => {
    pyclass('A', {
      fields,
      traverse(this: void, self, visit) {
        visit.call(self.x); // control: an explicit `this: void` is fine
      },
    });
    pyclass('B', {
      fields,
      // @ts-expect-error traverse gets no `this` (PyO3 rejects receivers other than &self) — says: TraverseHasNo_this_use_self
      traverse(this: Instance<F>, self, visit) {
        visit.call(self.x);
      },
    });
  });

  test('`this` inside a traverse method is void', () => {
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.x);
        // @ts-expect-error `this` is void: the full instance is unreachable — says: Property 'x' does not exist on type 'void & TraverseHasNo_this_use_self'
        this.x.drop();
      },
    });
  });

  test('async traverse', () => {
    pyclass('A', {
      fields,
      // @ts-expect-error traverse must be synchronous (a Promise is not undefined) — says: TraverseMustBeSynchronous_and_return_nothing
      async traverse(self, visit) {
        visit.call(self.x);
      },
    });
  });

  test('generator traverse', () => {
    pyclass('A', {
      fields,
      // @ts-expect-error traverse must not be a generator (its body would never run) — says: TraverseMustBeSynchronous_and_return_nothing
      *traverse(self, visit) {
        visit.call(self.x);
      },
    });
  });

  test('a traverse returning a value', () => {
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.x);
        return undefined; // control
      },
    });
    pyclass('B', {
      fields,
      // @ts-expect-error traverse returns nothing (errors come from visit.call) — says: Type 'number' is not assignable to type 'void | TraverseMustBeSynchronous_and_return_nothing | undefined'
      traverse(self, visit) {
        visit.call(self.x);
        return -1;
      },
    });
  });

  test('TraverseFn<typeof fields> for a traverse defined elsewhere', () => {
    const traverse: TraverseFn<F> = (self, visit) => {
      visit.call(self.x);
      visit.call(self.o);
      visit.call(self.cell.get());
      for (const x of self.list) visit.call(x);
    };
    pyclass('A', { fields, traverse }); // control
    function namedTraverse(self: TraverseSelf<F>, visit: Visit): undefined {
      visit.call(self.x);
    }
    pyclass('B', { fields, traverse: namedTraverse }); // control
    // @ts-expect-error a TraverseFn body gets the same readonly view — says: Property 'take' does not exist on type 'ReadonlyRefCell<
    const bad: TraverseFn<F> = (self) => self.cell.take();
    void bad;
  });

  test('clear(self) has the mutable instance', () => {
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.cell.get());
      },
      clear(self) {
        self.cell.take(); // controls
        self.cell.set(null);
        self.list.clear();
        self.o = null;
        self.n = 0;
      },
    });
  });
});

describe('the capabilities', () => {
  test('Visit is not a Python token', () => {
    pyclass('A', {
      fields,
      traverse(self, visit) {
        const v: Visit = visit; // control
        visit.call(self.x);
        void v;
        // @ts-expect-error Visit is not assignable to Python — says: Type 'Visit' is missing the following properties from type 'Python'
        const token: Python = visit;
        void token;
      },
    });
  });

  test('Visit, Python and TraverseError cannot be constructed by user code', () => {
    Python.withGil((p) => Py.new(p, Leaf, {})); // control: tokens come from withGil
    // @ts-expect-error Visit's constructor is private (only the trampoline makes one) — says: Constructor of class 'Visit' is private
    new Visit(() => 0, null);
    // @ts-expect-error Python's constructor is private (tokens come from withGil and friends) — says: Constructor of class 'Python' is private
    new Python();
    // @ts-expect-error TraverseError's constructor is private (it comes only out of visit.call) — says: Constructor of class 'TraverseError' is private
    new TraverseError(1);
    // @ts-expect-error TraverseError has no public factory either — says: Property 'create' does not exist on type 'typeof TraverseError'
    TraverseError.create(1);
  });

  test('visit.call with a non-reference', () => {
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.x); // controls
        visit.call(self.cell.get());
        visit.call(null);
        visit.call(self.list.at(5));
        // @ts-expect-error a number is not a reference — says: is not assignable to parameter of type 'Py<unknown> | Borrowed<unknown>
        visit.call(self.n);
        // @ts-expect-error the cell itself is not a reference: call get() — says: is not assignable to parameter of type 'Py<unknown> | Borrowed<unknown>
        visit.call(self.cell);
        // @ts-expect-error the list itself is not a reference: iterate it — says: is not assignable to parameter of type 'Py<unknown> | Borrowed<unknown>
        visit.call(self.list);
        // @ts-expect-error a plain value field is not a reference — says: is not assignable to parameter of type 'Py<unknown> | Borrowed<unknown>
        visit.call(self.v);
        // @ts-expect-error a look-alike object is not a reference — says: is not assignable to parameter of type 'Py<unknown> | Borrowed<unknown>
        visit.call({});
      },
    });
  });

  test('pyclass returns a PyClass handle carrying its fields', () => {
    const C = pyclass('C', { fields, traverse: (self, visit) => visit.call(self.x) });
    expectTypeOf(C).toEqualTypeOf<PyClass<F>>();
  });

  test('liveness and raw C reference counting (issue 13): not on the readonly self or its borrowed fields', () => {
    pyclass('A', {
      fields,
      traverse(self, visit) {
        visit.call(self.x);
        Py_INCREF(owned); // controls: a Py from outside (a module global), and a cast (C code)
        Py_DECREF(owned);
        Py_INCREF(self as unknown as Py);
        owned.isAlive();
        // @ts-expect-error the readonly self is not a C object (no PyRefMut: it is a borrow) — says: Argument of type 'TraverseSelf<
        Py_INCREF(self);
        // @ts-expect-error …nor can it be decref'd — says: Argument of type 'TraverseSelf<
        Py_DECREF(self);
        // @ts-expect-error a borrowed field is not a Py — says: Argument of type 'Borrowed<
        Py_DECREF(self.x);
        // @ts-expect-error a borrowed cell value is not a Py either — says: Argument of type 'Borrowed<
        Py_DECREF(self.cell.get()!);
        // @ts-expect-error a borrowed reference has no isAlive — says: Property 'isAlive' does not exist on type 'Borrowed<
        self.x.isAlive();
        // @ts-expect-error nor does a borrowed cell value — says: Property 'isAlive' does not exist on type 'Borrowed<
        self.cell.get()?.isAlive();
      },
      drop(self) {
        // controls: drop sees the mutable instance (PyO3's `&mut self`)
        expectTypeOf(self).toEqualTypeOf<Instance<F>>();
        self.x.isAlive();
        Py_DECREF(self.x);
        self.o = null;
      },
    });
    expectTypeOf<PyRefMut<F>>().toExtend<Parameters<typeof Py_INCREF>[0]>();
    expectTypeOf<TraverseSelf<F>>().not.toExtend<Parameters<typeof Py_INCREF>[0]>();
  });
});
