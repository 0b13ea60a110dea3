/* PyType_FromSpecWithBases with a base whose metaclass overrides tp_new (rejected from 3.14). */
#include <Python.h>

static PyType_Slot slots[] = {{0, NULL}};
static PyType_Spec spec = {"proof.Obj", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, slots};

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *bases = PyTuple_Pack(1, PyDict_GetItemString(helpers, "WithMeta"));
    if (bases == NULL) return NULL;
    PyObject *type = PyType_FromSpecWithBases(&spec, bases);
    Py_DECREF(bases);
    if (type == NULL) return NULL;
    PyObject *meta = PyObject_GetAttrString((PyObject *)Py_TYPE(type), "__name__");
    Py_DECREF(type);
    return meta;
}
