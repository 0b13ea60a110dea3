/* PyByteArray_Resize with a negative size (an error from 3.14). */
#include <Python.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *b = PyByteArray_FromStringAndSize("abc", 3);
    if (b == NULL) return NULL;
    int rc = PyByteArray_Resize(b, -1);
    if (rc < 0) { Py_DECREF(b); return NULL; }
    PyObject *n = PyLong_FromSsize_t(PyByteArray_Size(b));
    Py_DECREF(b);
    return n;
}
