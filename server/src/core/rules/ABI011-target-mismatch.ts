/** ABI011 target-mismatch: the build files and the source disagree on the target or the wheel's abi3 tag. */
import * as path from 'node:path';
import type { Range } from '../types';
import { minorToString } from '../version';
import { defineRule } from './rule';

const where = (f: { file: string; line?: number }): string => `${path.basename(f.file)}${f.line ? ':' + f.line : ''}`;

export default defineRule({
  meta: { code: 'ABI011', name: 'target-mismatch', reuse: 'local' },
  config(cx) {
    const cfg = cx.buildConfig;
    if (!cfg) return;
    const { doc, limitedDefine: define } = cx;
    const firstLineEnd = doc.text.indexOf('\n');
    const top: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: Math.max(0, firstLineEnd < 0 ? doc.text.length : firstLineEnd) } };
    const defRange = define && define.file === doc.path ? cx.pos.range(define.directive.start, define.directive.end) : top;
    const cfgDefines = cfg.facts.filter((f) => f.kind === 'define');
    const tags = cfg.facts.filter((f) => f.kind === 'tag');
    const fileMinor = define && define.decoded.ok ? define.decoded.minor : null;
    if (fileMinor !== null) {
      for (const f of cfgDefines) {
        if (f.minor === null || f.minor === fileMinor) continue;
        cx.report(defRange, `${where(f)} defines Py_LIMITED_API as ${minorToString(f.minor)} (${f.detail}) but this file defines ${minorToString(fileMinor)}; the two must agree`);
      }
    }
    if (!define && cfgDefines.length === 0 && tags.length) {
      const t = tags[0];
      cx.report(top, `${where(t)} tags the wheel abi3 (${t.detail}) but Py_LIMITED_API is never defined for this file: it is built against the full API and the abi3 wheel is broken. Define Py_LIMITED_API before including Python.h (or in define_macros)`);
      return;
    }
    const effective = cx.target?.minor ?? null;
    if (effective === null) return;
    for (const t of tags) {
      if (t.minor === null || t.minor === effective) continue;
      cx.report(
        defRange,
        t.minor < effective
          ? `${where(t)} tags the wheel for ${minorToString(t.minor)}+ (${t.detail}) but the code targets ${minorToString(effective)}: the wheel would install on Pythons where it cannot load`
          : `${where(t)} tags the wheel for ${minorToString(t.minor)}+ (${t.detail}) while the code targets ${minorToString(effective)}: the tag excludes Pythons the binary supports`,
      );
    }
  },
});
