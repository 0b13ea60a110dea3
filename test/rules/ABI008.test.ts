import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixAllEdits } from '../../server/src/core/fixes';
import { lint } from '../../server/src/core/lint';
import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI008', {
  target: '3.9',
  valid: [
    '#if Py_LIMITED_API+0 >= 0x030A0000\nint x;\n#endif',
    // a guard that chooses by the headers, naming no API and defining nothing: PY_VERSION_HEX is the right question
    '#include <stdarg.h>\nvoid f(const char *format, ...) {\n    va_list vargs;\n#if PY_VERSION_HEX < 0x030C00A1 && !defined(HAVE_STDARG_PROTOTYPES)\n    va_start(vargs);\n#else\n    va_start(vargs, format);\n#endif\n    va_end(vargs);\n}\n',
  ],
  invalid: [
    {
      code: '#if PY_VERSION_HEX >= 0x030A0000 && PY_VERSION_HEX < 0x030C0000\nPyObject *x;\n#endif',
      errors: [{ message: /^PY_VERSION_HEX is the version of the headers used for the build/, line: 1 }],
      output: '#if Py_LIMITED_API+0 >= 0x030A0000 && Py_LIMITED_API+0 < 0x030C0000\nPyObject *x;\n#endif',
    },
  ],
});

test('a PY_VERSION_HEX guard around a polyfill keeps its fix out of fix-all and migrations; one around uses does not', async () => {
  const polyfill = '#define Py_LIMITED_API 0x03090000\n#include <Python.h>\n#if PY_VERSION_HEX < 0x030A00A3 && !defined(Py_NewRef)\nstatic inline PyObject *\n_Py_NewRef(PyObject *o)\n{ Py_INCREF(o); return o; }\n#define Py_NewRef(o) _Py_NewRef(o)\n#endif\n';
  const uses = '#define Py_LIMITED_API 0x03090000\n#include <Python.h>\nPyObject *f(PyObject *o) {\n#if PY_VERSION_HEX >= 0x030A0000\n    return Py_NewRef(o);\n#else\n    Py_INCREF(o); return o;\n#endif\n}\n';
  for (const [text, manual] of [[polyfill, true], [uses, false]] as const) {
    const r = await lint({ path: '/virtual/g.c', text }, { buildConfig: null, select: ['ABI008'] });
    const fix = r.findings[0].fixes[0];
    assert.equal(fix.title, 'Test Py_LIMITED_API+0 instead (the oldest Python the binary must load on)');
    assert.equal(!!fix.manualOnly, manual, text);
    assert.equal(fixAllEdits(r.findings, { unsafe: true }).fixes, manual ? 0 : 1);
  }
});
