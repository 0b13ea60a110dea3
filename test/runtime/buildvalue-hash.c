/* Py_BuildValue's "s#" unit, with and without PY_SSIZE_T_CLEAN (-DCLEAN=1 or -DCLEAN=0). Without it the length is an int. */
#if CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
#if CLEAN
    Py_ssize_t n = 3;
#else
    int n = 3;
#endif
    return Py_BuildValue("s#", "abcdef", n);
}
