/** Format strings read from source: literals with escapes and concatenation, units per family, string macros. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeLiterals, formatUnits, stringMacros } from '../server/src/core/formats';
import { formatAt, formatCompletions } from '../server/src/core/formatHelp';

test('decodeLiterals joins adjacent literals, decodes escapes and keeps each character at its source offset', () => {
  const src = '"a\\x41" /* c */ "\\n%T"';
  const d = decodeLiterals(src, 100)!;
  assert.equal(d.value, 'aA\n%T');
  assert.deepEqual(d.offsets, [101, 102, 117, 119, 120]);
  assert.equal(decodeLiterals('"unterminated', 0), null);
  assert.equal(decodeLiterals('name', 0), null);
});

test('PyArg_Parse units stop at ":" and ";", know "es#", "s*", "O!" and "#"', () => {
  const keys = (f: string) => formatUnits('PyArg_Parse', { value: f, offsets: [...f].map((_, i) => i) }).map((u) => `${u.key}${u.hash ? '#' : ''}`);
  assert.deepEqual(keys('s#|es#O!y*:name p'), ['s#', 'es#', 'O', 'y']);
  assert.deepEqual(keys('(ii)p;message with p'), ['(', 'i', 'i', 'p']);
});

test('PyUnicode_FromFormat units: conversion, flags, "*" widths and length modifiers', () => {
  const keys = (f: string) => formatUnits('PyUnicode_FromFormat', { value: f, offsets: [...f].map((_, i) => i) }).map((u) => u.key);
  assert.deepEqual(keys('%d %% %-4s %*d %.*s %jd %td %lx %ls %#T %zd'), ['d', 's', '-', 'd', '*', 's', '*', 'd', 'j', 'd', 't', 'x', 'lx', 's', 'ls', 'T', 'd']);
});

test('stringMacros reads object-like macros made of string literals only', () => {
  const m = stringMacros('#define FMT "(i" "p)"\n#define NOT_STR 3\n  #  define F2 "x" // c\n');
  assert.equal(m.get('FMT')?.value, '(ip)');
  assert.ok(!m.has('NOT_STR'));
});

test('formatAt finds the call and argument of a literal, across lines and nested calls', () => {
  const t = 'x = PyArg_ParseTupleAndKeywords(args, kw,\n   "O|p:f", kwlist, &a);\ny = Py_BuildValue("(N)", f(1, "s#"));\n';
  assert.equal(formatAt(t, t.indexOf('O|p') + 1)?.fn, 'PyArg_ParseTupleAndKeywords');
  assert.equal(formatAt(t, t.indexOf('"s#"') + 1), null, 'an argument of another call');
  assert.equal(formatAt(t, t.indexOf('(N)') + 1)?.value, '(N)');
  assert.equal(formatCompletions(t, t.indexOf('(N)') + 1, { minor: 9, abi3t: false } as never)?.some((u) => u.label === 'p'), false);
});
