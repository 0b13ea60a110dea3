/** ABI008 py-version-hex-guard: PY_VERSION_HEX choosing code in a Limited API build. */
import type { ConditionUse, Directive } from '../preproc';
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
function guardsPolyfill(text: string, directives: Directive[], opening: Directive, isApi: (name: string) => boolean): boolean {
  // the block: from the condition to its #elif/#else/#endif at the same depth (directives as the lexer read them)
  let i = directives.findIndex((x) => x.start === opening.start);
  if (i < 0) return false;
  let depth = 0;
  let end = text.length;
  for (i++; i < directives.length; i++) {
    const d = directives[i];
    if (d.name === 'if' || d.name === 'ifdef' || d.name === 'ifndef') depth++;
    else if (d.name === 'elif' || d.name === 'else' || d.name === 'endif') {
      if (depth === 0) {
        end = d.start;
        break;
      }
      if (d.name === 'endif') depth--;
    } else if (d.name === 'define' && isApi(/^\w*/.exec(d.rest)![0])) return true;
  }
  for (const line of text.slice(opening.end, end).split('\n')) {
    if (/^\s*#/.test(line)) continue;
    // a definition's head: `static inline PyObject *Py_NewRef(`, or the name alone at the start of its line
    // under a return type on the line before (`PYCAPI_COMPAT_STATIC_INLINE(PyObject*)` then `Py_NewRef(…)`)
    const fn = /^(?:static\s+|inline\s+|Py_LOCAL_INLINE\s*\([^)]*\)\s*)+[\w\s*]*?\b(\w+)\s*\(/.exec(line) ?? /^(\w+)\s*\([^;]*$/.exec(line);
    if (fn && isApi(fn[1])) return true;
  }
  return false;
}

/** The text of every branch of the #if chain `opening` starts (to its #endif), directive lines left out. */
function chainText(text: string, directives: Directive[], opening: Directive): string {
  let i = directives.findIndex((x) => x.start === opening.start);
  if (i < 0 || !/^(if|ifdef|ifndef)$/.test(opening.name)) return '';
  let depth = 0;
  let end = text.length;
  for (i++; i < directives.length; i++) {
    const d = directives[i];
    if (d.name === 'if' || d.name === 'ifdef' || d.name === 'ifndef') depth++;
    else if (d.name === 'endif' && depth-- === 0) {
      end = d.start;
      break;
    }
  }
  // (a #define in a branch chooses indirectly, `#define HAVE_NEWREF 1`: kept as text, its name is no API)
  return text.slice(opening.end, end).split('\n').filter((l) => !/^\s*#/.test(l) || /^\s*#\s*define\b/.test(l)).join('\n');
}

/** A guard none of whose branches names C API or defines a macro (`va_start(vargs)` against `va_start(vargs,
 *  format)` for headers before and after 3.12): it chooses by the headers, which PY_VERSION_HEX is right to ask. */
const guardsNoApi = (text: string, directives: Directive[], opening: Directive, isApi: (name: string) => boolean): boolean => {
  const chain = chainText(text, directives, opening);
  return !/^\s*#\s*define\b/m.test(chain) && ![...chain.matchAll(/\b(_?Py[A-Za-z0-9_]*|PY_[A-Z0-9_]+)\b/g)].some((m) => isApi(m[1]));
};

export default defineRule({
  meta: { code: 'ABI008', name: 'py-version-hex-guard', reuse: 'local' },
  file(cx) {
    let conds = versionConditionsOf.get(cx.pp.conditions);
    if (!conds) versionConditionsOf.set(cx.pp.conditions, (conds = cx.pp.conditions.filter((c) => c.ids.includes('PY_VERSION_HEX'))));
    for (const c of conds) {
      const d = c.directive;
      if (guardsNoApi(cx.doc.text, cx.pp.directives, d, (n) => cx.cat.names.has(n))) continue;
      // every PY_VERSION_HEX of the condition (comments blanked), all replaced by the one fix
      const raw = cx.doc.text.slice(d.start, d.end).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => ' '.repeat(m.length));
      const hits = [...raw.matchAll(/\bPY_VERSION_HEX\b/g)].map((m) => d.start + (m.index ?? 0));
      const fixes: Fix[] = hits.length
        ? [{ kind: 'replace', title: 'Test Py_LIMITED_API+0 instead (the oldest Python the binary must load on)', safety: 'unsafe', manualOnly: guardsPolyfill(cx.doc.text, cx.pp.directives, d, (n) => cx.cat.names.has(n)) || undefined, edits: hits.map((at) => ({ range: cx.pos.range(at, at + 14), newText: 'Py_LIMITED_API+0' })) }]
        : [];
      const [start, end] = hits.length ? [hits[0], hits[0] + 14] : [d.start, d.end];
      cx.report(start, end, 'PY_VERSION_HEX is the version of the headers used for the build, not of the Python that will load this abi3 binary; test Py_LIMITED_API+0 to choose API', {
        identifier: 'PY_VERSION_HEX',
        fixes,
      });
    }
  },
});
