/**
 * ABI018 on a file that includes a full-API compat header (test/fixtures/rules/full-api-compat/, written in the
 * style of pythoncapi_compat.h): the fix puts the compat shims in the include's place, and the file then builds
 * under the Limited API with every header set from its target to 3.15, where it did not before.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { applyEdits } from '../../server/src/core/fixes';
import { lint } from '../../server/src/core/lint';
import { FIXTURES, headersFor } from '../helpers/fixtures';

const DIR = path.join(FIXTURES, 'rules');
const errorsOf = (file: string, headers: string, extra: string[] = []): string[] =>
  spawnSync('gcc', ['-fsyntax-only', '-Wall', '-Werror=implicit-function-declaration', ...extra, '-I', headersFor(headers), file], { encoding: 'utf8' }).stderr.split('\n').filter((l) => /: (fatal )?error:/.test(l));

test('ABI018: the include becomes the compat shims the file needs (safe), and the file builds at 3.10 with the headers 3.10-3.15 where it did not', async () => {
  const file = path.join(DIR, 'ABI018-full-api-compat-header.c');
  const text = fs.readFileSync(file, 'utf8');
  const r = await lint({ path: file, text }, { buildConfig: null });
  const f = r.findings.find((x) => x.code === 'ABI018');
  assert.ok(f, 'ABI018 reported');
  assert.equal(f.identifier, 'pythoncapi_compat.h');
  assert.equal(f.range.start.line + 1, 7);
  assert.equal(f.fixes.length, 1);
  assert.equal(f.fixes[0].safety, 'safe');
  assert.equal(f.fixes[0].title, 'Replace pythoncapi_compat.h with compat shims (PyDict_GetItemRef, Py_CONSTANT_NONE, Py_GetConstant)');
  const fixed = applyEdits(text, f.fixes[0].edits).text;
  assert.doesNotMatch(fixed, /#include "full-api-compat/);
  assert.equal(fixed.match(/#include <Python\.h>/g)?.length, 1);
  assert.match(fixed, /#if Py_LIMITED_API\+0 < 0x030D0000 && !defined\(PyLong_AsInt\)/);
  assert.match(fixed, /#if Py_LIMITED_API\+0 < 0x030D0000 && !defined\(Py_GetConstant\)/);
  const again = await lint({ path: file, text: fixed }, { buildConfig: null });
  assert.deepEqual(again.findings.map((x) => `${x.range.start.line + 1} ${x.code} ${x.message}`), []);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-abi018-'));
  const out = path.join(dir, 'fixed.c');
  fs.writeFileSync(out, fixed);
  let before = 0;
  for (let h = 10; h <= 15; h++) {
    const b = errorsOf(file, `3.${h}`);
    if (h < 13) assert.ok(b.some((l) => l.includes('pythoncapi_compat.h')), `3.${h}: the header's own polyfills fail under the Limited API:\n${b.join('\n')}`);
    before += b.length;
    assert.deepEqual(errorsOf(out, `3.${h}`, ['-Werror']), [], `headers 3.${h}`);
  }
  assert.ok(before >= 6, `errors before the fix: ${before}`);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('ABI018: a name the header supplies that has no Limited API form and no shim is named, and there is no fix', async () => {
  const file = path.join(DIR, 'ABI018-no-shim.c');
  const r = await lint({ path: file, text: fs.readFileSync(file, 'utf8') }, { buildConfig: null });
  const f = r.findings.find((x) => x.code === 'ABI018');
  assert.ok(f);
  assert.match(f.message, /neither the Limited API at 3\.10 nor a compat shim has PyFrame_GetLocals$/);
  assert.deepEqual(f.fixes, []);
});

test('ABI018: a header of the same name that is not the full-API kind, and an inactive include, are not reported', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-abi018-'));
  fs.writeFileSync(path.join(dir, 'compat.h'), '#ifndef MY_COMPAT_H\n#define MY_COMPAT_H\n#include <Python.h>\n#endif\n');
  const file = path.join(dir, 'm.c');
  const text = `#define Py_LIMITED_API 0x030A0000\n#include <Python.h>\n#include "compat.h"\n#if 0\n#include "${path.join(DIR, 'full-api-compat', 'pythoncapi_compat.h')}"\n#endif\n`;
  fs.writeFileSync(file, text);
  const r = await lint({ path: file, text }, { buildConfig: null });
  assert.deepEqual(r.findings.filter((x) => x.code === 'ABI018').map((x) => x.message), []);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('ABI018: the full-API compat header itself is not checked (a notice says so), so no fix or migration ever edits it', async () => {
  const file = path.join(DIR, 'full-api-compat', 'pythoncapi_compat.h');
  const r = await lint({ path: file, text: fs.readFileSync(file, 'utf8') }, { buildConfig: null, settings: { target: '3.10' } });
  assert.equal(r.target?.minor, 10);
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.notices, ['pythoncapi_compat.h is a compat header written for the full C API (pythoncapi-compat): not checked itself; ABI018 reports the files that include it']);
});
