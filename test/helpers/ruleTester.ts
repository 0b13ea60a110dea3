/**
 * RuleTester, in the style of typescript-eslint's: for one rule, snippets that must pass and snippets that
 * must be reported, with the expected messages and the text after the rule's fixes. Each snippet is a C file
 * body; unless it defines its own target, `#define Py_LIMITED_API <target>` and `#include <Python.h>` are put
 * in front of it. Only the rule under test runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEdits } from '../../server/src/core/fixes';
import { lint } from '../../server/src/core/lint';
import type { LintResult } from '../../server/src/core/types';
import { minorToHex, parseTargetOption } from '../../server/src/core/version';

export interface ValidCase {
  code: string;
  /** Python version of the target, e.g. '3.9' (default: the tester's). */
  target?: string;
  abi3t?: boolean;
  name?: string;
}

export interface ExpectedError {
  /** The whole message, or a pattern it must match. */
  message: string | RegExp;
  /** 1-based line in the snippet as written (the prelude is not counted). */
  line?: number;
  identifier?: string;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedError[];
  /** The snippet after applying, finding by finding, each finding's first fix with edits (unsafe ones too);
   *  the whole file when a fix edits the prelude; null: no fix edits anything. */
  output?: string | null;
  /** The titles of the first finding's fixes, in order. */
  fixTitles?: string[];
}

function prelude(c: ValidCase, target: string): string {
  if (/#\s*define\s+Py_(LIMITED_API|TARGET_ABI3T)\b/.test(c.code)) return '';
  const t = parseTargetOption(c.target ?? target);
  if (!t.ok) throw new Error(`bad target ${c.target}`);
  return `#define Py_LIMITED_API ${minorToHex(t.minor)}\n#include <Python.h>\n`;
}

async function run(code: string, c: ValidCase, target: string): Promise<{ r: LintResult; head: string; text: string }> {
  const head = prelude(c, target);
  const text = head + c.code;
  const r = await lint({ path: '/rule-tester/snippet.c', text }, { buildConfig: null, select: [code], settings: { abi3t: !!c.abi3t } });
  assert.equal(r.internalError, undefined, r.notices.join('\n'));
  return { r, head, text };
}

/** The text after each finding's first fix that edits something, applied one finding at a time. */
function fixedText(text: string, r: LintResult): string | null {
  const edits = r.findings.flatMap((f) => f.fixes.find((x) => x.edits.length)?.edits ?? []);
  if (!edits.length) return null;
  return applyEdits(text, edits).text;
}

export function ruleTester(code: string, cases: { target: string; valid: (string | ValidCase)[]; invalid: InvalidCase[] }): void {
  cases.valid.forEach((v, i) => {
    const c = typeof v === 'string' ? { code: v } : v;
    test(`${code} valid #${i + 1}${c.name ? `: ${c.name}` : ''}`, async () => {
      const { r } = await run(code, c, cases.target);
      assert.deepEqual(r.findings.map((f) => `${f.range.start.line}: ${f.message}`), []);
    });
  });
  cases.invalid.forEach((c, i) => {
    test(`${code} invalid #${i + 1}${c.name ? `: ${c.name}` : ''}`, async () => {
      const { r, head, text } = await run(code, c, cases.target);
      const offset = head ? head.split('\n').length - 1 : 0;
      assert.equal(r.findings.length, c.errors.length, r.findings.map((f) => `${f.range.start.line + 1 - offset}: ${f.message}`).join('\n'));
      r.findings.forEach((f, k) => {
        const e = c.errors[k];
        assert.equal(f.code, code);
        if (typeof e.message === 'string') assert.equal(f.message, e.message);
        else assert.match(f.message, e.message);
        if (e.line !== undefined) assert.equal(f.range.start.line + 1 - offset, e.line, f.message);
        if (e.identifier !== undefined) assert.equal(f.identifier, e.identifier);
      });
      if (c.fixTitles) assert.deepEqual(r.findings[0]?.fixes.map((x) => x.title), c.fixTitles);
      if (c.output !== undefined) {
        const out = fixedText(text, r);
        // (compared without the prelude, unless a fix edits the prelude too)
        assert.equal(out === null ? null : out.startsWith(head) ? out.slice(head.length) : out, c.output);
      }
    });
  });
}
