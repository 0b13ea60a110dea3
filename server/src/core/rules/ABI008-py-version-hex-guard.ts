/** ABI008 py-version-hex-guard: PY_VERSION_HEX choosing code in a Limited API build. */
import type { ConditionUse } from '../preproc';
import type { Fix } from '../types';
import { defineRule } from './rule';

/** The conditions of one #if evaluation that test PY_VERSION_HEX (its moved copies share `conditions`). */
const versionConditionsOf = new WeakMap<ConditionUse[], ConditionUse[]>();

/**
 * Whether the block a condition opens supplies C API names itself (`#define Py_SETREF …`, `static inline
 * PyObject *Py_NewRef(…)`): a polyfill. Its guard asks whether the headers have the name, which PY_VERSION_HEX
 * answers; rewriting it to the target switches such polyfills, written for the full API, on where the Limited
 * API cannot compile them. Its fix is then offered on its own only, never applied by fix-all or a migration.
 */
function guardsPolyfill(text: string, from: number, isApi: (name: string) => boolean): boolean {
  let depth = 0;
  const lines = text.slice(from, from + 200_000).split('\n');
  for (const line of lines.slice(1)) {
    const d = /^\s*#\s*(if|ifdef|ifndef|elif|else|endif|define)\b\s*(\w*)/.exec(line);
    if (d?.[1].startsWith('if')) depth++;
    else if (d && /^(elif|else|endif)$/.test(d[1])) {
      if (depth === 0) return false;
      if (d[1] === 'endif') depth--;
    } else if (d?.[1] === 'define' && isApi(d[2])) return true;
    else if (!d) {
      // a definition's head: `static inline PyObject *Py_NewRef(`, or the name alone at the start of its line
      // under a return type on the line before (`PYCAPI_COMPAT_STATIC_INLINE(PyObject*)` then `Py_NewRef(…)`)
      const fn = /^(?:static\s+|inline\s+|Py_LOCAL_INLINE\s*\([^)]*\)\s*)+[\w\s*]*?\b(\w+)\s*\(/.exec(line) ?? /^(\w+)\s*\([^;]*$/.exec(line);
      if (fn && isApi(fn[1])) return true;
    }
  }
  return false;
}

export default defineRule({
  meta: { code: 'ABI008', name: 'py-version-hex-guard', reuse: 'local' },
  file(cx) {
    let conds = versionConditionsOf.get(cx.pp.conditions);
    if (!conds) versionConditionsOf.set(cx.pp.conditions, (conds = cx.pp.conditions.filter((c) => c.ids.includes('PY_VERSION_HEX'))));
    for (const c of conds) {
      const d = c.directive;
      // every PY_VERSION_HEX of the condition (comments blanked), all replaced by the one fix
      const raw = cx.doc.text.slice(d.start, d.end).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => ' '.repeat(m.length));
      const hits = [...raw.matchAll(/\bPY_VERSION_HEX\b/g)].map((m) => d.start + (m.index ?? 0));
      const fixes: Fix[] = hits.length
        ? [{ kind: 'replace', title: 'Test Py_LIMITED_API+0 instead (the oldest Python the binary must load on)', safety: 'unsafe', manualOnly: guardsPolyfill(cx.doc.text, d.start, (n) => cx.cat.names.has(n)) || undefined, edits: hits.map((at) => ({ range: cx.pos.range(at, at + 14), newText: 'Py_LIMITED_API+0' })) }]
        : [];
      const [start, end] = hits.length ? [hits[0], hits[0] + 14] : [d.start, d.end];
      cx.report(start, end, 'PY_VERSION_HEX is the version of the headers used for the build, not of the Python that will load this abi3 binary; test Py_LIMITED_API+0 to choose API', {
        identifier: 'PY_VERSION_HEX',
        fixes,
      });
    }
  },
});
