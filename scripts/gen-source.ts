/** Extension-like C for the benchmarks, the fuzzer and the tests: Limited API calls, one in ten a finding,
 *  some under `#if Py_LIMITED_API+0 >= 0x030B0000` (deterministic for a seed). */
export function generateSource(lines: number, seed = 1): string {
  let x = seed;
  const rnd = (n: number): number => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % n;
  };
  // mostly Limited API calls, as in a file on its way to abi3; one call in ten is a finding
  const clean = ['PyList_GetItem(o, i)', 'PyLong_AsLong(o)', 'PyObject_GetAttrString(o, "x")', 'PyDict_GetItemString(o, "k")', 'PyFloat_AsDouble(o)', 'PyTuple_GetItem(o, i)', 'PyObject_Repr(o)', 'PyNumber_Add(o, o)', 'PySequence_Size(o)'];
  const flagged = ['PyTuple_GET_ITEM(o, i)', 'PyUnicode_AsUTF8(o)', 'PyType_GetName(Py_TYPE(o))', 'Py_NewRef(o)', 'PyBytes_AS_STRING(o)'];
  const out: string[] = ['#define Py_LIMITED_API 0x03090000', '#include <Python.h>', '#include <string.h>', ''];
  let fn = 0;
  while (out.length < lines) {
    fn++;
    out.push(`static PyObject *`, `func_${fn}(PyObject *self, PyObject *o)`, '{', '    Py_ssize_t i = 0;', '    PyObject *r = NULL;');
    const body = 4 + rnd(20);
    for (let k = 0; k < body; k++) {
      const c = rnd(10) === 0 ? flagged[rnd(flagged.length)] : clean[rnd(clean.length)];
      if (rnd(7) === 0) out.push('#if Py_LIMITED_API+0 >= 0x030B0000', `    r = (PyObject *)${c};`, '#else', '    r = NULL;', '#endif');
      else out.push(`    if (i++ > ${k}) r = (PyObject *)${c};`);
    }
    out.push('    (void)self;', '    return r;', '}', '');
  }
  return out.slice(0, lines).join('\n') + '\n';
}
