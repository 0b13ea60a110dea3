/** The incremental form: a DocumentSession fed editor changes reports exactly what a fresh lint() reports. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { lint, PositionMap } from '../server/src/core/lint';
import { DocumentSession } from '../server/src/core/session';
import { generateSource } from '../scripts/gen-source';
import { Rng } from '../scripts/fuzz';
import { ROOT } from './helpers/fixtures';

const SNIPPETS = ['x', ' ', '\n', 'PyTuple_GET_ITEM(t, 0)', 'static int PyTuple_GET_ITEM;', '/*', '*/', '#if 0\n', '#endif\n', '"', 'int PyList_GET_SIZE(void);\n', '->tp_name', '}', '{'];

test('200 random edits: incremental results equal a fresh lint of the same text', async () => {
  const file = path.join(ROOT, 'examples', 'spam', 'spammodule.c');
  let text = fs.readFileSync(file, 'utf8');
  const session = new DocumentSession(file, text);
  const opts = { buildConfig: null };
  const key = (r: Awaited<ReturnType<typeof lint>>) => JSON.stringify([r.target, r.minimumVersion, r.findings.map((f) => [f.code, f.range, f.message])]);
  assert.equal(key(await session.lint(opts)), key(await lint({ path: file, text }, opts)));
  const rng = new Rng(42);
  for (let i = 0; i < 200; i++) {
    const pos = new PositionMap(text);
    const a = rng.int(text.length + 1);
    const b = Math.min(text.length, a + rng.int(12));
    const start = pos.position(a);
    const end = pos.position(b);
    const insert = rng.int(3) ? rng.pick(SNIPPETS) : '';
    session.applyChanges([{ range: { start, end }, text: insert }]);
    text = text.slice(0, a) + insert + text.slice(b);
    assert.equal(session.text, text);
    if (i % 4 === 0) assert.equal(key(await session.lint(opts)), key(await lint({ path: file, text }, opts)), `after edit ${i}`);
  }
  session.dispose();
});

/** A random line of a function body (one starting with four spaces). */
function bodyLine(text: string, rng: Rng): number {
  const lines = text.split('\n');
  let line = 0;
  do line = rng.int(lines.length - 1);
  while (!lines[line].startsWith('    '));
  return line;
}

test('typing inside functions rescans only the edited region, with the same results as a fresh lint', async () => {
  let text = generateSource(3000, 5);
  const file = '/session/typing.c';
  const session = new DocumentSession(file, text);
  const opts = { buildConfig: null, settings: { target: '3.9' } };
  const key = (r: Awaited<ReturnType<typeof lint>>) => JSON.stringify([r.minimumVersion, r.findings.map((f) => [f.code, f.range, f.message, f.fixes])]);
  await session.lint(opts);
  const rng = new Rng(7);
  let regional = 0;
  for (let i = 0; i < 120; i++) {
    const pos = new PositionMap(text);
    // a keystroke in the middle of a random body line
    const line = bodyLine(text, rng);
    const at = pos.offset(line, 4);
    const ins = rng.pick(['x', 'PyTuple_GET_ITEM(o, 1); ', 'PyType_GetName(t); ', '(', ')', ' ']);
    session.applyChanges([{ range: { start: pos.position(at), end: pos.position(at) }, text: ins }]);
    text = text.slice(0, at) + ins + text.slice(at);
    const inc = await session.lint(opts);
    if (session.lastWasRegional) regional++;
    assert.equal(key(inc), key(await lint({ path: file, text }, opts)), `after keystroke ${i}`);
  }
  assert.ok(regional > 60, `only ${regional} of 120 analyses were regional`);
  session.dispose();
});

test('line-changing edits (Enter, joined lines, pasted blocks) keep directives and #if results moved, equal to a fresh lint', async () => {
  let text = generateSource(2000, 11);
  const file = '/session/lines.c';
  const session = new DocumentSession(file, text);
  const opts = { buildConfig: null, settings: { target: '3.9' } };
  const key = (r: Awaited<ReturnType<typeof lint>>) => JSON.stringify([r.minimumVersion, r.inactive, r.findings.map((f) => [f.code, f.range, f.message, f.fixes])]);
  await session.lint(opts);
  const rng = new Rng(11);
  let regional = 0;
  let keptDirectives = 0;
  for (let i = 0; i < 120; i++) {
    const pos = new PositionMap(text);
    const line = bodyLine(text, rng);
    const kind = rng.int(4);
    let a = pos.offset(line, 4);
    let b = a;
    let ins = '';
    if (kind === 0) ins = '\n    ';
    else if (kind === 1) {
      // join with the previous line
      a = pos.offset(line, 0) - 1;
      b = pos.offset(line, 4);
      ins = ' ';
    } else if (kind === 2) ins = 'PyObject *t = PyTuple_GET_ITEM(o, 0);\n    Py_ssize_t n = PyList_GET_SIZE(o);\n    ';
    else ins = rng.pick(['x', 'Py_NewRef(o); ', ' ']);
    session.applyChanges([{ range: { start: pos.position(a), end: pos.position(b) }, text: ins }]);
    text = text.slice(0, a) + ins + text.slice(b);
    const inc = await session.lint(opts);
    if (session.lastWasRegional) regional++;
    if (session.lastKeptDirectives) keptDirectives++;
    assert.equal(key(inc), key(await lint({ path: file, text }, opts)), `after edit ${i} (kind ${kind})`);
  }
  assert.ok(regional > 60, `only ${regional} of 120 analyses were regional`);
  assert.ok(keptDirectives > 80, `directives were moved only ${keptDirectives} times of 120`);
  session.dispose();
});

test("a table's removal depends on its uses anywhere: an edit elsewhere that removes the last use offers it, and one that adds a use takes it back", async () => {
  const table = 'static PySequenceMethods Obj_as_sequence = {\n    0,\n};\n';
  const use = 'static void *use(void) { return &Obj_as_sequence; }\n';
  const filler = Array.from({ length: 40 }, (_, i) => `static int f${i}(int x) { return x + ${i}; }\n`).join('');
  let text = `#include <Python.h>\n${table}${filler}${use}${filler}`;
  const file = '/session/tables.c';
  const session = new DocumentSession(file, text);
  const opts = { buildConfig: null, settings: { target: '3.10' } };
  const removal = (r: Awaited<ReturnType<typeof lint>>) => r.findings.some((f) => f.fixes.some((x) => x.title === 'Remove the unused table Obj_as_sequence'));
  assert.equal(removal(await session.lint(opts)), false, 'the table is used: no removal');
  // delete the use (far from the table)
  const at = text.indexOf(use);
  let pos = new PositionMap(text);
  session.applyChanges([{ range: { start: pos.position(at), end: pos.position(at + use.length) }, text: '' }]);
  text = text.slice(0, at) + text.slice(at + use.length);
  const after = await session.lint(opts);
  assert.equal(removal(after), true, 'the last use is gone: the removal is offered');
  assert.equal(removal(await lint({ path: file, text }, opts)), true);
  // type a use back in, again far from the table
  pos = new PositionMap(text);
  session.applyChanges([{ range: { start: pos.position(at), end: pos.position(at) }, text: use }]);
  assert.equal(removal(await session.lint(opts)), false, 'used again: no removal');
  session.dispose();
});
