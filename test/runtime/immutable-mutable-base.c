/* An immutable heap type (Py_TPFLAGS_IMMUTABLETYPE) whose base is a mutable heap type (rejected from 3.14). */
#include <Python.h>

static PyType_Slot slots[] = {{0, NULL}};
static PyType_Spec base_spec = {"proof.Base", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, slots};
static PyType_Spec spec = {"proof.Obj", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE, slots};

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *base = PyType_FromSpec(&base_spec);
    if (base == NULL) return NULL;
    PyObject *bases = PyTuple_Pack(1, base);
    Py_DECREF(base);
    if (bases == NULL) return NULL;
    PyObject *type = PyType_FromSpecWithBases(&spec, bases);
    Py_DECREF(bases);
    if (type == NULL) return NULL;
    Py_DECREF(type);
    return PyUnicode_FromString("created");
}
