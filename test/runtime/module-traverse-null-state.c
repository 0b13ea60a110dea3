/* A module with state and m_traverse: is m_traverse called before the state exists (NULL state)? Not from 3.9. */
#include <Python.h>

static int saw_null_state = 0;

static int traverse(PyObject *m, visitproc visit, void *arg)
{
    if (PyModule_GetState(m) == NULL) saw_null_state = 1;
    return 0;
}

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "abi3lint_proof_module", NULL, sizeof(long), NULL, NULL, traverse, NULL, NULL};
static PyModuleDef_Slot no_slots[] = {{0, NULL}};

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    def.m_slots = no_slots;
    PyObject *m = PyModule_FromDefAndSpec(&def, PyDict_GetItemString(helpers, "spec"));
    if (m == NULL) return NULL;
    PyObject *gc = PyImport_ImportModule("gc");
    PyObject *r = gc ? PyObject_CallMethod(gc, "collect", NULL) : NULL;
    Py_XDECREF(r); Py_XDECREF(gc);
    Py_DECREF(m);
    if (r == NULL) return NULL;
    return PyUnicode_FromString(saw_null_state ? "traversed with NULL state" : "not traversed without state");
}
