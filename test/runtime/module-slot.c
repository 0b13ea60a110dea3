/* A module slot id given as SLOT_ID (-D) with value SLOT_VALUE: whether PyModule_FromDefAndSpec accepts it. */
#include <Python.h>

static PyModuleDef_Slot slots[] = {
    {SLOT_ID, (void *)(SLOT_VALUE)},
    {0, NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "abi3lint_proof_module", NULL, 0, NULL, slots, NULL, NULL, NULL};

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *spec = PyDict_GetItemString(helpers, "spec");
    PyObject *m = PyModule_FromDefAndSpec(&def, spec);
    if (m == NULL) return NULL;
    Py_DECREF(m);
    return PyUnicode_FromString("created");
}
