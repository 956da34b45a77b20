/* A GC type whose traverse frees its own object (the 3.7 "self-free" case of issue 13 item 5):
 * the only reference is the module's `pending`; the target's first traverse drops it. A signal
 * handler prints the signal, si_code and si_addr, then exits. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static PyObject *pending = NULL;
static PyObject *target = NULL;

static void on_signal(int sig, siginfo_t *si, void *ctx) {
    char buf[128];
    int n = snprintf(buf, sizeof buf, "SIGNAL %s code=%d addr=%p\n", sig == SIGBUS ? "SIGBUS" : "SIGSEGV", si->si_code, si->si_addr);
    (void)ctx;
    write(2, buf, n);
    _exit(3);
}

typedef struct { PyObject_HEAD } NodeObject;

static int Node_traverse(PyObject *self, visitproc visit, void *arg) {
    if (self == target && pending != NULL) {
        PyObject *p = pending;
        pending = NULL;
        target = NULL;
        Py_DECREF(p);
    }
    return 0;
}

static void Node_dealloc(PyObject *self) {
    PyObject_GC_UnTrack(self);
    PyObject_GC_Del(self);
}

static PyTypeObject NodeType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "selffree.Node",
    .tp_basicsize = sizeof(NodeObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = Node_traverse,
    .tp_dealloc = Node_dealloc,
    .tp_new = PyType_GenericNew,
};

/* arm(node): node's only reference becomes `pending` (the caller must drop its own). */
static PyObject *arm(PyObject *mod, PyObject *node) {
    Py_INCREF(node);
    pending = node;
    target = node;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {{"arm", arm, METH_O, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "selffree", NULL, -1, methods};

PyMODINIT_FUNC PyInit_selffree(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    if (PyType_Ready(&NodeType) < 0) return NULL;
    PyObject *m = PyModule_Create(&mod);
    Py_INCREF(&NodeType);
    PyModule_AddObject(m, "Node", (PyObject *)&NodeType);
    return m;
}
