import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lint } from '../../server/src/core/lint';
import { ruleTester } from '../helpers/ruleTester';

ruleTester('ABI006', {
  target: '3.9',
  valid: ['static PyTypeObject *T;', 'extern PyTypeObject T;'],
  invalid: [
    {
      code: 'static PyTypeObject MyType = { PyVarObject_HEAD_INIT(NULL, 0) };',
      errors: [{ message: /^'MyType' is a static PyTypeObject; PyTypeObject is opaque in the Limited API/, identifier: 'MyType' }],
      output: null,
    },
  ],
});


test('ABI006: a forward declaration and the definition are one finding, on the definition, the declaration related', async () => {
  const text = '#define Py_LIMITED_API 0x03090000\n#include <Python.h>\nstatic PyTypeObject T;\nstatic PyTypeObject T = { PyVarObject_HEAD_INIT(NULL, 0) "m.T" };\n';
  const r = await lint({ path: '/t/fwd.c', text }, { buildConfig: null, select: ['ABI006'] });
  assert.deepEqual(r.findings.map((f) => f.range.start.line), [3]);
  assert.deepEqual(r.findings[0].related, [{ range: { start: { line: 2, character: 20 }, end: { line: 2, character: 21 } }, message: "'T' is also declared here" }]);
});
