/* Py_BuildValue's "s#" unit, with and without PY_SSIZE_T_CLEAN (-DCLEAN). Without it the length is an int. */
#ifdef CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
#ifdef CLEAN
    Py_ssize_t n = 3;
#else
    int n = 3;
#endif
    return Py_BuildValue("s#", "abcdef", n);
}
