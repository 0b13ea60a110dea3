/* PyType_GetSlot on a static type (accepted from 3.10). */
#include <Python.h>

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    void *slot = PyType_GetSlot(&PyLong_Type, Py_nb_add);
    if (slot == NULL && PyErr_Occurred()) return NULL;
    return PyBool_FromLong(slot != NULL);
}
