/**
 * The edit engine: picks fixes, drops overlapping edits, applies them. Fix-all applies safe fixes only
 * (unsafe ones when asked); display-only fixes carry no edits.
 */
import type { TargetDefine } from './facts/defines';
import { PositionMap } from './position';
import type { Finding, Fix, TextEdit } from './types';
import { minorToHex, minorToString } from './version';

export interface FixSelection {
  unsafe?: boolean;
  /** Fixes that also edit other files (a header declaring a converted type): only where the caller applies them. */
  otherFiles?: boolean;
}

/** The one fix per finding that fix-all would apply, if any. */
export function chooseFix(f: Finding, sel: FixSelection = {}): Fix | null {
  for (const fix of f.fixes) {
    if (fix.edits.length === 0 || fix.manualOnly || (fix.otherFiles?.length && !sel.otherFiles)) continue;
    if (fix.safety === 'safe' || (sel.unsafe && fix.safety === 'unsafe')) {
      // raising the target is never part of fix-all: it changes which Pythons the wheel supports
      if (fix.kind === 'raise-target') continue;
      return fix;
    }
  }
  return null;
}

/** A fix that sets the file's own `#define Py_LIMITED_API` to `minor`; `why` ends the title. */
export function raiseTargetFix(text: string, pos: PositionMap, d: TargetDefine | null, minor: number, why: string): Fix | null {
  if (!d || d.macro !== 'Py_LIMITED_API') return null;
  const dir = d.directive;
  const valueStart = text.indexOf(d.value, dir.start + '#define Py_LIMITED_API'.length - 1);
  if (!d.value || valueStart < 0 || valueStart > dir.end) return null;
  return {
    kind: 'raise-target',
    title: `Set Py_LIMITED_API to ${minorToHex(minor)} (${minorToString(minor)})${why}`,
    safety: 'unsafe',
    edits: [{ range: pos.range(valueStart, valueStart + d.value.length), newText: minorToHex(minor) }],
  };
}

/**
 * Applies edits to a text. Edits are sorted; an edit overlapping an earlier one (or out of range) is skipped,
 * never applied partially.
 */
export function applyEdits(text: string, edits: TextEdit[]): { text: string; applied: number; skipped: number } {
  const pos = new PositionMap(text);
  const withOffsets = edits
    .map((e) => {
      const start = pos.offset(e.range.start.line, e.range.start.character);
      const end = pos.offset(e.range.end.line, e.range.end.character);
      return { start, end, newText: e.newText, valid: e.range.start.line < pos.lineCount && e.range.end.line < pos.lineCount && start <= end && end <= text.length };
    })
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let last = 0;
  let applied = 0;
  let skipped = 0;
  for (const e of withOffsets) {
    if (!e.valid || e.start < last) {
      skipped++;
      continue;
    }
    out += text.slice(last, e.start) + e.newText;
    last = e.end;
    applied++;
  }
  out += text.slice(last);
  return { text: out, applied, skipped };
}

/** Edits of the chosen fixes of all findings, overlapping groups dropped as wholes. */
export function fixAllEdits(findings: Finding[], sel: FixSelection = {}): { edits: TextEdit[]; fixes: number; deferred: number; applied: Fix[] } {
  const chosen: Fix[] = [];
  for (const f of findings) {
    const fix = chooseFix(f, sel);
    if (fix) chosen.push(fix);
  }
  const applied: Fix[] = [];
  // keep whole fixes only: a fix whose edits overlap an already kept one waits for the next pass
  const kept: TextEdit[] = [];
  const spans: [number, number, number, number][] = [];
  let fixes = 0;
  let deferred = 0;
  const key = (e: TextEdit): [number, number, number, number] => [e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character];
  const before = (a: [number, number], b: [number, number]): boolean => a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]);
  const seen = new Set<string>();
  const keptEdits = new Set<string>();
  for (const fix of chosen) {
    // the same edit offered by several findings (one `#include <stdio.h>` for fprintf and stderr) is made once,
    // and so is one edit two fixes share (two types converted at once that share one dealloc: it keeps and
    // releases its type once)
    const sig = JSON.stringify(fix.edits);
    if (seen.has(sig)) continue;
    seen.add(sig);
    const group = fix.edits.filter((e) => !keptEdits.has(JSON.stringify(e)));
    const overl = group.some((e) => {
      const [sl, sc, el, ec] = key(e);
      return spans.some(([a, b, c, d]) => !(before([el, ec], [a, b]) || before([c, d], [sl, sc])));
    });
    if (overl) {
      deferred++;
      continue;
    }
    for (const e of group) {
      kept.push(e);
      keptEdits.add(JSON.stringify(e));
      spans.push(key(e));
    }
    fixes++;
    applied.push(fix);
  }
  return { edits: kept, fixes, deferred, applied };
}

/**
 * For a file with no target: the `#define Py_LIMITED_API` to insert, set to the lowest version the file's C API
 * names need (`minimum`, from an analysis at the newest target), put before the first `#include <Python.h>`
 * (else on the first line). Never part of fix-all: it decides which Pythons the wheel supports.
 */
export function defineTargetFix(text: string, pos: PositionMap, minimum: number): Fix {
  const m = /^[ \t]*#[ \t]*include[ \t]*[<"]Python\.h[>"]/m.exec(text);
  const at = m ? m.index : 0;
  const line = pos.position(at).line;
  return {
    kind: 'raise-target',
    title: `Define Py_LIMITED_API ${minorToHex(minimum)} (${minorToString(minimum)}) in this file: the lowest version its API needs`,
    safety: 'unsafe',
    edits: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `#define Py_LIMITED_API ${minorToHex(minimum)}\n` }],
  };
}
