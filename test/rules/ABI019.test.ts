import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fixText } from '../../server/src/core/migrate';
import { headersFor } from '../helpers/fixtures';
import { ruleTester } from '../helpers/ruleTester';

const HEAD = 'typedef struct { PyObject_HEAD long n; } CounterObject;\n';

ruleTester('ABI019', {
  target: '3.11',
  valid: [
    `${HEAD}void f(PyObject *o) { Py_INCREF(o); }`,
    `${HEAD}void f(CounterObject *c) { Py_INCREF((PyObject *)c); }`,
    `${HEAD}void f(PyVarObject *v) { Py_SET_SIZE(v, 0); }`,
    { code: `${HEAD}void f(CounterObject *c) { Py_INCREF(c); }`, target: '3.10', name: 'below 3.11 the macro casts' },
  ],
  invalid: [
    {
      code: `${HEAD}void f(CounterObject *c) { Py_INCREF(c); }`,
      errors: [{ message: /^'c' is a CounterObject \*; Py_INCREF takes a PyObject \* in the Limited API from 3\.11/, line: 2 }],
      output: `${HEAD}void f(CounterObject *c) { Py_INCREF((PyObject *)c); }`,
    },
    {
      code: `${HEAD}long f(PyObject *o) { CounterObject *c = (CounterObject *)o; return Py_SIZE(c); }`,
      errors: [{ message: /Py_SIZE takes a PyObject \*/, line: 2 }],
      output: `${HEAD}long f(PyObject *o) { CounterObject *c = (CounterObject *)o; return Py_SIZE((PyObject *)c); }`,
    },
  ],
});

test('the fixed fixture builds with -Werror=incompatible-pointer-types on the headers 3.11-3.15 (the original does not)', async () => {
  const file = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'rules', 'ABI019-object-pointer-argument.c');
  const original = fs.readFileSync(file, 'utf8');
  const done = await fixText({ path: file, text: original }, { buildConfig: null }, false);
  assert.deepEqual(done.result.findings.map((f) => f.code), []);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-abi019-'));
  const gcc = (text: string, h: number): number => {
    const src = path.join(dir, 'f.c');
    fs.writeFileSync(src, text);
    return spawnSync('gcc', ['-fsyntax-only', '-Werror=incompatible-pointer-types', '-I', headersFor(`3.${h}`), src], { encoding: 'utf8' }).status ?? -1;
  };
  for (let h = 11; h <= 15; h++) {
    assert.equal(gcc(done.text, h), 0, `fixed, headers 3.${h}`);
    assert.notEqual(gcc(original, h), 0, `original, headers 3.${h}`);
  }
});
