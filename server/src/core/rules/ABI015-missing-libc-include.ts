/** ABI015 missing-libc-include: a C library name that only reached the file through Python.h, which no longer
 *  includes its header at the target. Like gcc, reported at the first use: a function at its first call in the
 *  file, a variable or constant at its first use in each function. */
import { TARGET_MINORS } from '../dataSchema';
import type { Fix } from '../types';
import { minorToString } from '../version';
import { defineRule, type NameUse, type RuleContext } from './rule';

const LIBC_PREFERENCE = ['errno.h', 'stdio.h', 'stdlib.h', 'string.h', 'ctype.h', 'unistd.h', 'time.h', 'sys/time.h', 'sys/types.h'];

/** Whether the file gets the name's declaration anyway: Python.h still includes a header declaring it, or the
 *  file (or a header it includes) includes one. */
function declaredAnyway(cx: RuleContext, name: string, headers: string[]): boolean {
  const libc = cx.cat.data.libc;
  if (headers.some((h) => libc[h]?.included[cx.tIdx] === 'Y' || cx.systemIncludes.has(h))) return true;
  for (const inc of cx.systemIncludes) if (libc[inc]?.names.includes(name)) return true; // stdlib.h declares size_t, ...
  return false;
}

function report(cx: RuleContext, use: NameUse, headers: string[]): void {
  const header = [...headers].sort((a, b) => (LIBC_PREFERENCE.indexOf(a) + 1 || 99) - (LIBC_PREFERENCE.indexOf(b) + 1 || 99) || a.localeCompare(b))[0];
  const fixes: Fix[] = [];
  const anchor = cx.pythonHInclude;
  if (anchor) {
    const at = cx.pos.position(anchor.end);
    fixes.push({ kind: 'replace', title: `Include <${header}> after Python.h`, safety: 'safe', edits: [{ range: { start: at, end: at }, newText: `\n#include <${header}>` }] });
  }
  const inc = cx.cat.data.libc[header]?.included ?? '';
  const from = inc.indexOf('N');
  const when = from > 0 && !inc.slice(from).includes('Y') ? ` from target ${minorToString(TARGET_MINORS[from])} on` : ' with some header versions';
  cx.report(use.start, use.end, `'${use.name}' comes from <${header}>, which Python.h stops including under the Limited API${when}; include <${header}> yourself`, { identifier: use.name, fixes });
}

export default defineRule({
  meta: { code: 'ABI015', name: 'missing-libc-include', reuse: 'first-use' },
  create: (cx) => {
    /** First uses reported: `name@file` or `name@<function start>`. */
    const reported = new Set<string>();
    return {
      name(use) {
        if (use.entry || cx.cat.internal.has(use.name)) return;
        const headers = cx.cat.libcByName.get(use.name);
        if (!headers || declaredAnyway(cx, use.name, headers)) return;
        const fn = use.isCall ? null : cx.functionAt(use.start);
        const key = `${use.name}@${fn === null ? 'file' : fn}`;
        if (reported.has(key) || use.declares() || cx.project.isName(use.name)) return;
        reported.add(key);
        report(cx, use, headers);
      },
    };
  },
});
