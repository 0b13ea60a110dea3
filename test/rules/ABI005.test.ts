import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI005', {
  target: '3.9',
  valid: [
    { name: 'a designator is not a member access', code: 'struct s { const char *tp_name; };\nstruct s v = { .tp_name = "x" };' },
    { name: 'plain member names are not CPython members', code: 'struct b { char *buf; };\nchar *g(struct b *x) { return x->buf; }' },
  ],
  invalid: [
    {
      code: 'const char *n(PyTypeObject *t) { return t->tp_name; }',
      errors: [{ message: "'tp_name' is a member of PyTypeObject, which is opaque in the Limited API at 3.9; PyType_GetName replaces it from 3.11", identifier: 'tp_name' }],
      output: null,
    },
    {
      name: 'a member with a rewrite at the target',
      code: 'void f(PyObject *o) { Py_TYPE(o)->tp_free(o); }',
      errors: [{ message: /^'tp_free' is a member of PyTypeObject, which is opaque in the Limited API at 3\.9; use / }],
      output: 'void f(PyObject *o) { ((freefunc)PyType_GetSlot(Py_TYPE(o), Py_tp_free))(o); }',
    },
    {
      name: 'a tp_vectorcall assignment goes below 3.14 (unsafe: the type is called through tp_new/tp_init)',
      code: 'void f(PyObject *t, void *v)\n{\n    ((PyTypeObject *)t)->tp_vectorcall = v;\n    Py_INCREF(t);\n}',
      target: '3.11',
      errors: [{ message: /^'tp_vectorcall' is a member of PyTypeObject/ }],
      output: 'void f(PyObject *t, void *v)\n{\n    Py_INCREF(t);\n}',
    },
    {
      name: 'a slot read through the type becomes PyType_GetSlot (safe from 3.10)',
      code: 'PyObject *g(PyObject *w, PyObject *o) { return Py_TYPE(w)->tp_descr_get(w, o, NULL); }',
      target: '3.10',
      errors: [{ message: /^'tp_descr_get' is a member of PyTypeObject/ }],
      output: 'PyObject *g(PyObject *w, PyObject *o) { return ((descrgetfunc)PyType_GetSlot(Py_TYPE(w), Py_tp_descr_get))(w, o, NULL); }',
    },
  ],
});
