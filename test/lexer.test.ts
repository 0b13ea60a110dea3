/** The one C lexer: the preprocessor's directive scanner and the rules' lexical pass read the same tokens. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { EOF, Lexer } from '../server/src/core/lexer';
import { lint } from '../server/src/core/lint';
import { scanDirectives } from '../server/src/core/preproc';
import { directivesMet } from '../server/src/core/scan';
import { FIXTURES, fixtureFiles, ROOT } from './helpers/fixtures';

const NAMES = ['EOF', 'NEWLINE', 'COMMENT', 'STRING', 'HASH', 'IDENT', 'NUMBER', 'PUNCT'];

function tokens(text: string): string[] {
  const lx = new Lexer(text);
  const out: string[] = [];
  for (let t = lx.next(); t !== EOF; t = lx.next()) out.push(`${NAMES[t]}@${lx.tokLine}:${JSON.stringify(text.slice(lx.start, lx.end))}`);
  return out;
}

test('the lexer: splices, comments, literals, directives, numbers and two-character punctuation', () => {
  assert.deepEqual(tokens('a->b ## c\n'), ['IDENT@0:"a"', 'PUNCT@0:"->"', 'IDENT@0:"b"', 'PUNCT@0:"##"', 'IDENT@0:"c"', 'NEWLINE@0:"\\n"']);
  // a `//` comment continued by a splice swallows the next line; the newline after it ends the line
  assert.deepEqual(tokens('// x \\\ny\nz'), ['COMMENT@0:"// x \\\\\\ny"', 'NEWLINE@1:"\\n"', 'IDENT@2:"z"']);
  assert.deepEqual(tokens('// x \\\r\ny\r\nz'), ['COMMENT@0:"// x \\\\\\r\\ny\\r"', 'NEWLINE@1:"\\n"', 'IDENT@2:"z"']);
  // a string continued by a splice; an unterminated one ends before its newline
  assert.deepEqual(tokens('"a\\\nb" \'c\n'), ['STRING@0:"\\"a\\\\\\nb\\""', 'STRING@1:"\'c"', 'NEWLINE@1:"\\n"']);
  // a comment before `#` leaves it a directive; a token before it does not
  assert.deepEqual(tokens('/* c */ #x\ny #z'), ['COMMENT@0:"/* c */"', 'HASH@0:"#"', 'IDENT@0:"x"', 'NEWLINE@0:"\\n"', 'IDENT@1:"y"', 'PUNCT@1:"#"', 'IDENT@1:"z"']);
  // a splice inside a directive does not end it
  assert.deepEqual(tokens('#define A \\\n 1\nB'), ['HASH@0:"#"', 'IDENT@0:"define"', 'IDENT@0:"A"', 'NUMBER@1:"1"', 'NEWLINE@1:"\\n"', 'IDENT@2:"B"']);
  assert.deepEqual(tokens('1.5e-3 .5 0x1Fu x.e3'), ['NUMBER@0:"1.5e-3"', 'NUMBER@0:".5"', 'NUMBER@0:"0x1Fu"', 'IDENT@0:"x"', 'PUNCT@0:"."', 'IDENT@0:"e3"']);
  assert.deepEqual(tokens('/* a\nb */ x'), ['COMMENT@0:"/* a\\nb */"', 'IDENT@1:"x"']);
  assert.deepEqual(tokens('/* open'), ['COMMENT@0:"/* open"']);
});

test('a // comment ending in a backslash hides the next line from the rules, as from gcc', async () => {
  const text = ['#define Py_LIMITED_API 0x03090000', '#include <Python.h>', 'PyObject *f(PyObject *t) {', '    // first item \\', '    return PyTuple_GET_ITEM(t, 0);', '    return NULL;', '}', ''].join('\n');
  const r = await lint({ path: '/x/repro.c', text }, { buildConfig: null });
  assert.deepEqual(r.findings, []);
  // and the directive scanner agrees: the line after a continued comment inside a directive is part of it
  const d = scanDirectives('#define A 1 // c \\\n  more\nint x;\n');
  assert.equal(d.length, 1);
  assert.equal(d[0].endLine, 1);
  assert.equal(d[0].rest, 'A 1');
});

test('the preprocessor and the lexical pass see the same directives in every fixture, fuzz input and example', () => {
  const files = [...fixtureFiles(FIXTURES), ...fixtureFiles(path.join(ROOT, 'examples'))];
  assert.ok(files.length >= 30, `only ${files.length} files`);
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    const pre = scanDirectives(text).map((d) => `${d.start}:${d.line}`);
    assert.deepEqual(directivesMet(text).map((d) => `${d.start}:${d.line}`), pre, path.relative(ROOT, f));
  }
});
