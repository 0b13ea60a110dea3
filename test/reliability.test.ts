/** Inputs a language server meets in the wild: none may crash, hang, or break an invariant. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { collectCFiles } from '../server/src/core/walk';
import { lint, MAX_FILE_BYTES } from '../server/src/core/lint';
import { checkInvariants } from '../scripts/fuzz';

const HEAD = '#define Py_LIMITED_API 0x03090000\n#include <Python.h>\n';
const USE = 'PyObject *f(PyObject *t) { return PyTuple_GET_ITEM(t, 0); }\n';

const inputs: Record<string, string> = {
  'empty file': '',
  'binary garbage': Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 7919 + 13) % 256)).toString('latin1'),
  'invalid UTF-8 (decoded with replacement characters)': Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0x0a]).toString('utf8') + HEAD + USE,
  'a byte order mark': '\uFEFF' + HEAD + USE,
  'CRLF line endings': (HEAD + USE).replace(/\n/g, '\r\n'),
  'mixed line endings': HEAD.replace('\n', '\r\n') + USE.replace(/\n/g, '\r'),
  'NUL bytes': HEAD + '\0\0' + USE + '\0',
  'a single 1 MB line': HEAD + 'int x = ' + 'PyTuple_GET_ITEM(a, 0) + '.repeat(40000) + '1;\n',
  '10,000 nested #if': HEAD + '#if X\n'.repeat(10000) + USE + '#endif\n'.repeat(10000),
  '10,000 nested parentheses': HEAD + 'int x = ' + '('.repeat(10000) + '1' + ')'.repeat(10000) + ';\n' + USE,
  'unterminated comment, string and #if': HEAD + '#if 1\nint s = "open\n' + USE + '/* never closed\n',
  'macro bodies with odd continuations': HEAD + '#define A(x) \\\n  PyTuple_GET_ITEM(x, \\\r\n 0) \\\n\n#define B \\\n' + USE,
  'Py_LIMITED_API as garbage': '#define Py_LIMITED_API )(*&^%$\n#include <Python.h>\n' + USE,
  'Py_LIMITED_API as PY_VERSION_HEX': '#define Py_LIMITED_API PY_VERSION_HEX\n#include <Python.h>\n' + USE,
  'Py_LIMITED_API defined twice': '#define Py_LIMITED_API 0x03090000\n#define Py_LIMITED_API 0x030C0000\n#include <Python.h>\n' + USE,
  'a directive as the last byte': HEAD + '#',
};

for (const [name, text] of Object.entries(inputs)) {
  test(`survives ${name}`, { timeout: 60000 }, async () => {
    assert.equal(await checkInvariants(text, `/reliability/${name.replace(/\W+/g, '-')}.c`), null);
  });
}

test('the BOM, CRLF and mixed-ending files are still checked', async () => {
  for (const name of ['a byte order mark', 'CRLF line endings']) {
    const r = await lint({ path: '/r/x.c', text: inputs[name] }, { buildConfig: null });
    assert.deepEqual(r.findings.map((f) => f.code), ['ABI004'], name);
  }
});

test('a 50 MB file is skipped with a notice, quickly and without parsing', async () => {
  const text = HEAD + USE.repeat(Math.ceil((50 * 1048576) / USE.length));
  assert.ok(text.length > MAX_FILE_BYTES);
  const r = await lint({ path: '/r/huge.c', text }, { buildConfig: null });
  assert.equal(r.findings.length, 0);
  assert.match(r.notices[0], /over the 8 MB limit: not analysed/);
});

test('#include cycles among project headers terminate', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-cycle-'));
  fs.writeFileSync(path.join(dir, 'a.h'), '#include "b.h"\n#define Py_LIMITED_API 0x030A0000\n');
  fs.writeFileSync(path.join(dir, 'b.h'), '#include "a.h"\n#include "b.h"\n');
  fs.writeFileSync(path.join(dir, 'm.c'), '#include "a.h"\n#include <Python.h>\n' + USE);
  const r = await lint({ path: path.join(dir, 'm.c'), text: fs.readFileSync(path.join(dir, 'm.c'), 'utf8') }, { root: dir });
  assert.equal(r.target?.minor, 10, 'the target comes from a.h');
  assert.deepEqual(r.findings.map((f) => f.code), ['ABI004']);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('include dirs and #include paths never leave the workspace root', async () => {
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-outside-'));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-root-'));
  fs.writeFileSync(path.join(outside, 'evil.h'), '#define Py_LIMITED_API 0x030F0000\n');
  const text = `#include "../${path.basename(outside)}/evil.h"\n#include <Python.h>\n${USE}`;
  const r = await lint({ path: path.join(root, 'm.c'), text }, { root, settings: { includeDirs: [outside] } });
  assert.equal(r.target, null, 'a header outside the root was read');
  fs.rmSync(outside, { recursive: true, force: true });
  fs.rmSync(root, { recursive: true, force: true });
});

test('a workspace scan survives symlink loops, dangling links and unreadable files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3lint-walk-'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'a.c'), USE);
  fs.symlinkSync(dir, path.join(dir, 'src', 'loop'));
  fs.symlinkSync(path.join(dir, 'missing.c'), path.join(dir, 'src', 'dangling.c'));
  fs.writeFileSync(path.join(dir, 'src', 'secret.c'), USE);
  fs.chmodSync(path.join(dir, 'src', 'secret.c'), 0);
  const { files } = collectCFiles(['.'], { base: dir, exclude: [] });
  assert.deepEqual(files.map((f) => path.relative(dir, f)).sort(), ['src/a.c', 'src/secret.c']);
  fs.rmSync(dir, { recursive: true, force: true });
});
