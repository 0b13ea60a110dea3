/* PyArg_ParseTuple's "s#" unit. Built with and without PY_SSIZE_T_CLEAN (-DCLEAN=1 or -DCLEAN=0), with old and new headers.
   The length is written into the first member of a struct whose second member is a canary. */
#if CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    const char *s = NULL;
#if CLEAN
    struct { Py_ssize_t n; Py_ssize_t canary; } len = {-1, 12345};
#else
    struct { int n; int canary; } len = {-1, 12345};
#endif
    PyObject *args = Py_BuildValue("(s)", "abc");
    if (args == NULL) return NULL;
    int ok = PyArg_ParseTuple(args, "s#", &s, &len.n);
    Py_DECREF(args);
    if (!ok) return NULL;
    return Py_BuildValue("(nn)", (Py_ssize_t)len.n, (Py_ssize_t)len.canary);
}
