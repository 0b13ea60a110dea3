/* Targeting abi3t, the stable ABI of free-threaded builds (3.15+): PyObject is opaque there. */
#define Py_TARGET_ABI3T 0x030F0000
#include <Python.h>

static Py_ssize_t
refcount(PyObject *o)
{
    return o->ob_refcnt;                 /* use Py_REFCNT(o) */
}

PyMODINIT_FUNC
PyInit_ft(void)                          /* abi3t modules export PyModExport_ft */
{
    return NULL;
}
