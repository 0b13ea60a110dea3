/** Exclude globs: the usual forms, and no pattern can stall (linear-time matching, no backtracking). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileGlobs, MAX_PATTERN } from '../server/src/core/glob';

const m = (pattern: string, path: string): boolean => compileGlobs([pattern]).match(path);

test('globs: *, **, ?, classes, braces, escapes', () => {
  assert.ok(m('*.c', 'a.c'));
  assert.ok(!m('*.c', 'src/a.c'));
  assert.ok(m('**/*.c', 'a.c'));
  assert.ok(m('**/*.c', 'src/deep/a.c'));
  assert.ok(!m('**/*.c', 'src/a.h'));
  assert.ok(m('src/**', 'src/a/b.c'));
  assert.ok(m('src/**/gen_*.c', 'src/gen_x.c'));
  assert.ok(m('src/**/gen_*.c', 'src/a/b/gen_x.c'));
  assert.ok(!m('**/foo.c', 'xfoo.c'));
  assert.ok(m('vendor/**', 'vendor/x.c'));
  assert.ok(!m('vendor/**', 'src/vendor.c'));
  assert.ok(m('a?c.c', 'abc.c'));
  assert.ok(!m('a?c.c', 'a/c.c'));
  assert.ok(m('[abc].c', 'b.c'));
  assert.ok(m('[a-c].c', 'b.c'));
  assert.ok(!m('[!a-c].c', 'b.c'));
  assert.ok(m('{src,lib}/*.c', 'lib/x.c'));
  assert.ok(!m('{src,lib}/*.c', 'test/x.c'));
  assert.ok(m('\\*.c', '*.c'));
  assert.ok(!m('\\*.c', 'a.c'));
  assert.ok(m('./src/*.c', 'src/a.c'));
  assert.ok(m('.hidden/*.c', '.hidden/a.c'));
});

test('a hostile pattern is matched in linear time, and an overlong one is refused with a problem', () => {
  const hostile = '**/' + '?*'.repeat(16) + 'b';
  const path = 'a/'.repeat(40) + 'a'.repeat(200);
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) assert.equal(m(hostile, path), false);
  // (a generous bound: a backtracking engine takes minutes here)
  assert.ok(performance.now() - t0 < 2000, `${performance.now() - t0} ms`);
  assert.ok(m(hostile, 'x/' + 'a'.repeat(16) + 'b'));
  const long = compileGlobs(['a'.repeat(MAX_PATTERN + 1)]);
  assert.equal(long.problems.length, 1);
  assert.equal(long.match('a'.repeat(MAX_PATTERN + 1)), false);
  // braces expand to a bounded number of alternatives
  const braces = compileGlobs(['{a,b}'.repeat(30)]);
  assert.equal(braces.match('a'.repeat(30)), true);
  assert.equal(braces.match('b'.repeat(30)), false); // (past the first 64 alternatives)
});
