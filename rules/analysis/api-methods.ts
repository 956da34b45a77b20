// The API's instance methods, classified once: read-only methods (safe inside a traverse, so
// `strict`'s unknown-call check accepts them), hazards (also in INSTANCE_CALLS), and the
// rest (writes that are not hazards by themselves, and @internal helpers). A test compares
// this table with the classes exported from src/api and with the readonly view interfaces,
// so the lint's idea of the API cannot drift from the API. rules/ imports nothing of src/.

export interface ApiMethods {
  /** Read-only: no refcount change, no interpreter use. */
  readonly read: readonly string[];
  /** Ends a reference, touches the GIL or needs the interpreter (see api-operations.ts). */
  readonly hazard: readonly string[];
  /** Neither: writes that add (not drop) a reference, and @internal methods. */
  readonly other: readonly string[];
}

export const API_METHODS: Readonly<Record<string, ApiMethods>> = {
  Py: {
    read: ['isDropped', 'isAlive', 'is', 'address'],
    hazard: ['cloneRef', 'drop', 'Symbol.dispose', 'bind', 'borrow', 'borrowMut', 'refcnt'],
    other: ['isUnclaimed', 'expire', 'matches', 'checkLive', 'use'],
  },
  Bound: {
    read: [],
    // Every Bound method needs the interpreter (it holds a `Python` token).
    hazard: ['borrow', 'borrowMut', 'refcnt', 'isTracked', 'unbind'],
    other: [],
  },
  RefCell: {
    read: ['get', 'isEmpty'],
    hazard: ['set', 'replace', 'take', 'clear'],
    other: ['owned'],
  },
  RefList: {
    read: ['length', 'at', 'Symbol.iterator', 'forEach', 'map', 'some', 'every'],
    hazard: ['pop', 'set', 'splice', 'clear'],
    other: ['push', 'owned'],
  },
  Visit: {
    read: ['call'],
    hazard: [],
    other: ['expire', 'visitOwned', 'visited'],
  },
  // The readonly views a traverse sees (interfaces in src/api/types.ts).
  ReadonlyRefCell: { read: ['get', 'isEmpty'], hazard: [], other: [] },
  ReadonlyRefList: { read: ['length', 'at', 'Symbol.iterator', 'forEach', 'some', 'every'], hazard: [], other: [] },
};

/** Every read-only method name of the API. */
export const API_READ_METHODS: ReadonlySet<string> = new Set(Object.values(API_METHODS).flatMap((methods) => methods.read));
