/* Py_tp_bases given one type, or Py_tp_base given a tuple (SLOT_KIND, -D: 1 or 2): both accepted from 3.15. */
#include <Python.h>

static PyType_Slot slots[] = {{0, NULL}, {0, NULL}};
static PyType_Spec spec = {"proof.Obj", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, slots};

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *value;
    if (SLOT_KIND == 1) {
        slots[0].slot = Py_tp_bases;
        value = (PyObject *)&PyBaseObject_Type;
        Py_INCREF(value);
    } else {
        slots[0].slot = Py_tp_base;
        value = PyTuple_Pack(1, (PyObject *)&PyBaseObject_Type);
        if (value == NULL) return NULL;
    }
    slots[0].pfunc = value;
    PyObject *type = PyType_FromSpec(&spec);
    Py_DECREF(value);
    if (type == NULL) return NULL;
    Py_DECREF(type);
    return PyUnicode_FromString("created");
}
