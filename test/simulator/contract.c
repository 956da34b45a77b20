/* A C extension type whose tp_traverse / tp_clear break one clause of the contract at a time
 * (issue 12, reference §9), for the differential test contract-differential.test.ts.
 * Node has two references, a and b; the module-level `mode` picks the breach:
 *   0 correct; 1 incomplete (b never visited); 2 double (b visited twice);
 *   3 clear releases nothing. set(node, a, b) stores new references. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static int mode = 0;

typedef struct {
    PyObject_HEAD
    PyObject *a;
    PyObject *b;
} Node;

static int Node_traverse(Node *self, visitproc visit, void *arg) {
    Py_VISIT(self->a);
    if (mode != 1) Py_VISIT(self->b);
    if (mode == 2) Py_VISIT(self->b);
    return 0;
}

static int Node_clear(Node *self) {
    if (mode == 3) return 0;
    Py_CLEAR(self->a);
    Py_CLEAR(self->b);
    return 0;
}

static void Node_dealloc(Node *self) {
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->a);
    Py_CLEAR(self->b);
    PyObject_GC_Del(self);
}

static PyObject *Node_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    Node *self = PyObject_GC_New(Node, type);
    if (!self) return NULL;
    self->a = NULL;
    self->b = NULL;
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

static PyTypeObject NodeType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "contract.Node",
    .tp_basicsize = sizeof(Node),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = Node_new,
    .tp_dealloc = (destructor)Node_dealloc,
    .tp_traverse = (traverseproc)Node_traverse,
    .tp_clear = (inquiry)Node_clear,
};

static PyObject *set(PyObject *m, PyObject *args) {
    Node *n;
    PyObject *a, *b;
    if (!PyArg_ParseTuple(args, "O!OO", &NodeType, &n, &a, &b)) return NULL;
    Py_XSETREF(n->a, a == Py_None ? NULL : (Py_INCREF(a), a));
    Py_XSETREF(n->b, b == Py_None ? NULL : (Py_INCREF(b), b));
    Py_RETURN_NONE;
}

static PyObject *set_mode(PyObject *m, PyObject *arg) {
    mode = (int)PyLong_AsLong(arg);
    Py_RETURN_NONE;
}

static PyObject *has_refs(PyObject *m, PyObject *arg) {
    Node *n = (Node *)arg;
    return PyBool_FromLong(n->a != NULL || n->b != NULL);
}

static PyMethodDef methods[] = {
    {"set", set, METH_VARARGS, NULL},
    {"set_mode", set_mode, METH_O, NULL},
    {"has_refs", has_refs, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "contract", NULL, -1, methods};

PyMODINIT_FUNC PyInit_contract(void) {
    if (PyType_Ready(&NodeType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&NodeType);
    PyModule_AddObject(m, "Node", (PyObject *)&NodeType);
    return m;
}
