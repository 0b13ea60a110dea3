/* PyObject_GetBuffer on an instance of a Python class that defines __buffer__ (PEP 688, 3.12). */
#include <Python.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *cls = PyDict_GetItemString(helpers, "BufferByDunder");
    PyObject *obj = PyObject_CallObject(cls, NULL);
    if (obj == NULL) return NULL;
    Py_buffer view;
    int rc = PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE);
    Py_DECREF(obj);
    if (rc < 0) return NULL;
    PyObject *n = PyLong_FromSsize_t(view.len);
    PyBuffer_Release(&view);
    return n;
}
