/* Two Py_mod_exec slots in one module definition (rejected from 3.15). */
#include <Python.h>

static int exec_a(PyObject *m) { return PyModule_AddIntConstant(m, "a", 1); }
static int exec_b(PyObject *m) { return PyModule_AddIntConstant(m, "b", 2); }

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_a},
    {Py_mod_exec, exec_b},
    {0, NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "abi3lint_proof_module", NULL, 0, NULL, slots, NULL, NULL, NULL};

static PyObject *proof(PyObject *self, PyObject *helpers)
{
    PyObject *m = PyModule_FromDefAndSpec(&def, PyDict_GetItemString(helpers, "spec"));
    if (m == NULL) return NULL;
    int rc = PyModule_ExecDef(m, &def);
    Py_DECREF(m);
    if (rc < 0) return NULL;
    return PyUnicode_FromString("executed");
}
