/** The directive scanner and the #if evaluation, directly. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateConditionals, scanDirectives, shiftPreproc } from '../server/src/core/preproc';

test('an unterminated string or character literal ends at its line: the next line keeps its number and its directive', () => {
  // (found by the incremental fuzz: the newline after an unterminated "…" was skipped uncounted)
  const text = 'int a = "open;\n#if X\nchar c = \'q;\n#endif\nint b = "a\\\n b";\n#define Y 1\n';
  const ds = scanDirectives(text);
  assert.deepEqual(
    ds.map((d) => [d.line, d.name]),
    [
      [1, 'if'],
      [3, 'endif'],
      [6, 'define'],
    ],
  );
});

test('moving an evaluation past an edit that added lines equals evaluating the moved text', () => {
  const before = '#if Py_LIMITED_API+0 >= 0x030B0000\nint a;\n#endif\nint b;\n#ifdef MS_WINDOWS\nint c;\n#endif\n';
  const env = () => ({ defined: new Map([['Py_LIMITED_API', { lo: 0x03090000n, hi: 0x03090000n }]]), undefinedKnown: new Set<string>(), pyVersionHex: null });
  const pp = evaluateConditionals(scanDirectives(before), env(), before.split('\n').length);
  // two lines inserted after line 3 ("int b;")
  const after = before.replace('int b;\n', 'int b;\nint x;\nint y;\n');
  const moved = scanDirectives(before);
  for (const d of moved) if (d.line > 3) {
    d.line += 2;
    d.endLine += 2;
  }
  const shifted = shiftPreproc(pp, 3, 2);
  const fresh = evaluateConditionals(scanDirectives(after), env(), after.split('\n').length);
  assert.deepEqual(shifted.inactive, fresh.inactive);
  assert.deepEqual(shifted.guardRanges.map((g) => [g.start, g.end, [...g.names]]), fresh.guardRanges.map((g) => [g.start, g.end, [...g.names]]));
  for (let l = 0; l < 10; l++) assert.equal(shifted.isInactive(l), fresh.isInactive(l), `line ${l}`);
  assert.equal(shifted.lineCount, fresh.lineCount);
});
