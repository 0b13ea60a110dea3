/* PyUnicode_FromStringAndSize(NULL, n) with n > 0: an uninitialised string the Limited API cannot fill
   (rejected from 3.12). */
#include <Python.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *s = PyUnicode_FromStringAndSize(NULL, 3);
    if (s == NULL) return NULL;
    PyObject *n = PyLong_FromSsize_t(PyUnicode_GetLength(s));
    Py_DECREF(s);
    return n;
}
