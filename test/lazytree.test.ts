/**
 * lint() parses a file only when a rule asks its tree (LazyTree): most names are read from the text alone. The
 * text-only answers are allowed only to rule things out, so they are checked here against the tree on real
 * code (CPython's own headers, the fixtures, the examples): a name the text says no occurrence can declare is
 * declared by no declaration the tree parses without error, and a call read from the text has the tree's arguments.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadCatalog } from '../server/src/core/catalog';
import { collectDeclarations, mayDeclare } from '../server/src/core/declarations';
import { analyze, emptyResult, lint, settingsOf } from '../server/src/core/lint';
import { initParser, type Node } from '../server/src/core/parser';
import { pathTo, WIDE_NODE } from '../server/src/core/locate';
import { parensMatched, plainCallArguments } from '../server/src/core/plainCall';
import { FIXTURES, fixtureFiles, headersFor, ROOT } from './helpers/fixtures';

/** Real C to check the text-only readings against: every CPython 3.13 header, the fixtures and the examples. */
function corpus(): string[] {
  const headers = headersFor('3.13');
  const own = (dir: string): string[] =>
    fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.h$/.test(e.name))
      .map((e) => path.join(e.parentPath ?? e.path, e.name));
  return [...own(headers), ...fixtureFiles(FIXTURES), ...fixtureFiles(path.join(ROOT, 'examples'))];
}

function* nodesOf(root: Node, type: string): Generator<Node> {
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === type) yield n;
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
}

test('a name the text says is only used is declared by no declaration the tree parses (CPython 3.13 headers, fixtures, examples)', async () => {
  const { parser } = await initParser();
  let ruledOut = 0;
  let names = 0;
  const files = corpus();
  assert.ok(files.length > 150, `expected the 3.13 headers and the fixtures, found ${files.length} files`);
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const tree = parser.parse(text)!;
    try {
      // (inside a declaration the tree could not parse, error recovery "declares" attribute macros and
      // pasted names: `PyAPI_FUNC(void) _Py_NO_RETURN Py_Exit(int);` makes _Py_NO_RETURN a variable there)
      const declared = new Set(collectDeclarations(tree.rootNode).filter((d) => !d.node.hasError).map((d) => d.name));
      for (const name of new Set(text.match(/\b[A-Za-z_]\w*\b/g) ?? [])) {
        names++;
        if (mayDeclare(text, name)) continue;
        ruledOut++;
        assert.ok(!declared.has(name), `${path.relative(ROOT, file)}: the text rules out a declaration of ${name}, the tree declares it`);
      }
    } finally {
      tree.delete();
    }
  }
  // the shortcut must also be worth having: most names of real C are plainly used
  assert.ok(ruledOut > names / 2, `only ${ruledOut} of ${names} names were ruled out by the text`);
});

test('a call read from the text has the arguments the tree gives it', async () => {
  const { parser } = await initParser();
  let read = 0;
  let calls = 0;
  for (const file of corpus()) {
    const text = fs.readFileSync(file, 'utf8');
    const tree = parser.parse(text)!;
    try {
      if (tree.rootNode.hasError) continue; // (error recovery may split a call differently: asked of the tree then)
      for (const call of nodesOf(tree.rootNode, 'call_expression')) {
        const fn = call.childForFieldName('function');
        if (fn?.type !== 'identifier') continue;
        calls++;
        const plain = plainCallArguments(text, fn.startIndex, fn.endIndex);
        if (!plain) continue;
        read++;
        const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a && a.type !== 'comment').map((a) => ({ start: a!.startIndex, end: a!.endIndex }));
        assert.deepEqual(plain, args, `${path.relative(ROOT, file)}: ${call.text.slice(0, 80)}`);
      }
    } finally {
      tree.delete();
    }
  }
  assert.ok(calls > 500 && read > calls * 0.9, `${read} of ${calls} calls were read from the text`);
});

test('plainCallArguments: what is not plainly a call is left to the tree', () => {
  const at = (src: string, name = 'f') => plainCallArguments(src, src.indexOf(name), src.indexOf(name) + name.length);
  const texts = (src: string) => at(src)?.map((a) => src.slice(a.start, a.end));
  assert.deepEqual(texts('x = f(a, g(b, c), "s,)" /* , */ , d);'), ['a', 'g(b, c)', '"s,)"', 'd']);
  assert.deepEqual(texts('f()'), []);
  assert.equal(at('f(a,)'), null); // an empty argument
  assert.equal(at('f(a, {1, 2})'), null); // a brace
  assert.equal(at('f(a\n#if X\n, b\n#endif\n)'), null); // a directive inside
  assert.equal(at('f(a, b'), null); // never closed
  assert.equal(at('f;'), null);
  assert.equal(at('/* f(a) */', 'f'), null); // not a name token: inside a comment
  // far from its line's start (a minified line of calls), or a `)` far away: asked of the tree, not read again
  // and again for every call of the line
  assert.equal(at(`${'x;'.repeat(3000)} f(a)`), null);
  assert.equal(at(`f(a, ${'b + '.repeat(2000)}c)`), null);
  assert.deepEqual(texts(`${'x;'.repeat(1000)}\nf(a)`), ['a']);
  // the calls of one text asked in order, then out of order, then another text: the line starts stay right
  const src = `g(1);\n${'x;'.repeat(1500)} g(2); ${'y;'.repeat(1500)} g(3);\ng(4);`;
  const calls = [...src.matchAll(/g\(/g)].map((m) => m.index!);
  const arg = (i: number) => plainCallArguments(src, calls[i], calls[i] + 1)?.map((a) => src.slice(a.start, a.end)) ?? null;
  assert.deepEqual([arg(0), arg(1), arg(2), arg(3)], [['1'], ['2'], null, ['4']]);
  assert.deepEqual([arg(3), arg(1), arg(0)], [['4'], ['2'], ['1']]);
  assert.deepEqual(texts('h(); f(b)'), ['b']);
  assert.deepEqual(arg(1), ['2']);
});

test('a file whose rules never ask the tree is not parsed, and lint() finds what an analysis of a parsed tree finds', async () => {
  const clean = 'static int add(int a, int b) { return a + b; }\n';
  const r = await lint({ path: '/virtual/plain.c', text: `#define Py_LIMITED_API 0x030A0000\n#include <Python.h>\n${clean}` });
  assert.equal(r.timing.parse, 0, 'a file with nothing to ask of its tree was parsed');
  const { parser } = await initParser();
  const cat = loadCatalog();
  for (const file of fixtureFiles(path.join(FIXTURES, 'rules'))) {
    const text = fs.readFileSync(file, 'utf8');
    const lazy = await lint({ path: file, text });
    const tree = parser.parse(text)!;
    try {
      const eager = (await analyze({ path: file, text }, tree, cat, settingsOf({}), {}, emptyResult(file))).result;
      assert.deepEqual(lazy.findings, eager.findings, path.relative(ROOT, file));
      assert.equal(lazy.minimumVersion, eager.minimumVersion, path.relative(ROOT, file));
    } finally {
      tree.delete();
    }
  }
});

test('pathTo finds the node descendantForIndex finds, and each step of its path is the tree\'s parent of the next', async () => {
  const { parser } = await initParser();
  let checked = 0;
  for (const file of corpus()) {
    const text = fs.readFileSync(file, 'utf8');
    const tree = parser.parse(text)!;
    try {
      let k = 0;
      for (const m of text.matchAll(/\b[A-Za-z_]\w*\b|[{(]/g)) {
        if (k++ % 5) continue; // (a fifth of the names and brackets: the parents' walks are slow)
        const start = m.index!;
        const end = start + m[0].length;
        const native = tree.rootNode.descendantForIndex(start, end);
        for (const wide of [WIDE_NODE, 0]) {
          const p = pathTo(tree.rootNode, start, end, wide);
          const where = `${path.relative(ROOT, file)}:${start} ${m[0]} (wide ${wide})`;
          assert.equal(p[p.length - 1].id, native?.id, where);
          if (wide) for (let i = p.length - 1; i > 0; i--) assert.equal(p[i].parent?.id, p[i - 1].id, where);
        }
        checked++;
      }
    } finally {
      tree.delete();
    }
  }
  assert.ok(checked > 10000, `${checked} positions`);
});

test('plainCallArguments: once a text\'s calls run to their bound, its parentheses are matched once, with the same answers', () => {
  // unclosed calls, with closed, nested and half-closed ones among them
  const lines = Array.from({ length: 1500 }, (_, i) => (i % 150 === 3 ? `g(a${i}, h(b));` : i % 11 === 5 ? `g(h(x${i})` : i % 211 === 0 ? `#define M${i} g(` : `    g(PyExc_ValueError, "bad %d", x${i}`));
  const src = lines.join('\n');
  const calls = [...src.matchAll(/\bg\(/g)].map((m) => m.index!);
  // one at a time, another text read between (nothing carried over): the answers as they were
  const other = `f(${'a + '.repeat(2000)}`; // (read to its bound too: the text counted is this one then)
  const alone = calls.map((c) => {
    plainCallArguments(other, 0, 1);
    return plainCallArguments(src, c, c + 1);
  });
  assert.equal(parensMatched(src), false);
  const inOrder = calls.map((c) => plainCallArguments(src, c, c + 1));
  assert.equal(parensMatched(src), true);
  assert.deepEqual(inOrder, alone);
  assert.ok(alone.filter(Boolean).length >= 10 && alone.filter((a) => !a).length > 1000, `${alone.filter(Boolean).length} calls read`);
});
