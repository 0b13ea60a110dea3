/* pyproject.toml tags this abi3, yet Py_LIMITED_API is never defined: the wheel is built for one version. */
#include <Python.h>

static PyObject *
size(PyObject *self, PyObject *b)
{
    return PyLong_FromSsize_t(PyBytes_GET_SIZE(b));
}
