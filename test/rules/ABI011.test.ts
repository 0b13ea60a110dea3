import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BuildConfig, BuildFact } from '../../server/src/core/buildconfig';
import { lint } from '../../server/src/core/lint';

// ABI011 reads build files: the cases give the build configuration as data (setup.py is never run).
const file = '/rule-tester/mod.c';
const cfg = (facts: Omit<BuildFact, 'file' | 'line'>[]): BuildConfig => ({ dir: '/rule-tester', files: ['/rule-tester/setup.py'], facts: facts.map((f) => ({ ...f, file: '/rule-tester/setup.py', line: 3 })), problems: [] });

test('ABI011 valid: build files and source agree', async () => {
  const r = await lint({ path: file, text: '#define Py_LIMITED_API 0x03090000\n#include <Python.h>\n' }, { select: ['ABI011'], buildConfig: cfg([{ kind: 'tag', minor: 9, detail: 'py_limited_api="cp39"' }]) });
  assert.deepEqual(r.findings, []);
});

test('ABI011 invalid: a wheel tagged abi3 for a file that never defines Py_LIMITED_API', async () => {
  const r = await lint({ path: file, text: '#include <Python.h>\n' }, { select: ['ABI011'], buildConfig: cfg([{ kind: 'tag', minor: 9, detail: 'py_limited_api="cp39"' }]) });
  assert.equal(r.findings.length, 1);
  assert.match(r.findings[0].message, /^setup\.py:3 tags the wheel abi3 \(py_limited_api="cp39"\) but Py_LIMITED_API is never defined for this file/);
});

test('ABI011 invalid: the tag and the code disagree on the version', async () => {
  const r = await lint({ path: file, text: '#define Py_LIMITED_API 0x030A0000\n#include <Python.h>\n' }, { select: ['ABI011'], buildConfig: cfg([{ kind: 'tag', minor: 9, detail: 'py_limited_api="cp39"' }]) });
  assert.deepEqual(r.findings.map((f) => [f.range.start.line, f.message]), [[0, 'setup.py:3 tags the wheel for 3.9+ (py_limited_api="cp39") but the code targets 3.10: the wheel would install on Pythons where it cannot load']]);
});
