/* A GC type whose traverse frees a non-GC object it holds and then visits the stale pointer
 * (issue 13 item 5, dev mode): `Py_DECREF(self->leaf); Py_VISIT(self->leaf);` on the first
 * traverse after arm(). The leaf is a plain non-GC object of its own type (no free list: its
 * block goes back to pymalloc). A signal handler prints the signal, si_code and si_addr. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void on_signal(int sig, siginfo_t *si, void *ctx) {
    char buf[128];
    int n = snprintf(buf, sizeof buf, "SIGNAL %s code=%d addr=%p\n", sig == SIGBUS ? "SIGBUS" : "SIGSEGV", si->si_code, si->si_addr);
    (void)ctx;
    write(2, buf, n);
    _exit(3);
}

typedef struct { PyObject_HEAD double v; } LeafObject;

static PyTypeObject LeafType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "freevisit.Leaf",
    .tp_basicsize = sizeof(LeafObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
};

typedef struct { PyObject_HEAD PyObject *leaf; int armed; } HolderObject;

static int Holder_traverse(HolderObject *self, visitproc visit, void *arg) {
    if (self->armed && self->leaf != NULL) {
        self->armed = 0;
        Py_DECREF(self->leaf); /* the only reference: the leaf is freed, the field still points at it */
    }
    Py_VISIT(self->leaf);
    return 0;
}

static void Holder_dealloc(HolderObject *self) {
    PyObject_GC_UnTrack(self);
    PyObject_GC_Del(self);
}

static PyTypeObject HolderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "freevisit.Holder",
    .tp_basicsize = sizeof(HolderObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)Holder_traverse,
    .tp_dealloc = (destructor)Holder_dealloc,
    .tp_new = PyType_GenericNew,
};

/* arm(holder): holder gets a fresh leaf (its only reference) and frees it on its next traverse. */
static PyObject *arm(PyObject *mod, PyObject *h) {
    HolderObject *self = (HolderObject *)h;
    self->leaf = PyType_GenericNew(&LeafType, NULL, NULL);
    if (self->leaf == NULL) return NULL;
    self->armed = 1;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {{"arm", arm, METH_O, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "freevisit", NULL, -1, methods};

PyMODINIT_FUNC PyInit_freevisit(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    if (PyType_Ready(&LeafType) < 0 || PyType_Ready(&HolderType) < 0) return NULL;
    PyObject *m = PyModule_Create(&mod);
    Py_INCREF(&HolderType);
    PyModule_AddObject(m, "Holder", (PyObject *)&HolderType);
    return m;
}
