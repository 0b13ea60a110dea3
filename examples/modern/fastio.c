/* Raised to Py_LIMITED_API 3.12 after years at 3.8: Python.h stopped bringing in the C library headers. */
#define Py_LIMITED_API 0x030C0000
#include <Python.h>

static PyObject *
write_line(PyObject *self, PyObject *arg)
{
    const char *text = PyUnicode_AsUTF8AndSize(arg, NULL);
    if (text == NULL)
        return NULL;
    if (fprintf(stderr, "%s\n", text) < 0)          /* <stdio.h> */
        return PyErr_SetFromErrno(PyExc_OSError);
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);                        /* deprecated: PyErr_GetRaisedException at 3.12 */
    PyErr_Restore(t, v, tb);
    Py_RETURN_NONE;
}
