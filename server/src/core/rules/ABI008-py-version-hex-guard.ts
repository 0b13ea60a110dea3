/** ABI008 py-version-hex-guard: PY_VERSION_HEX choosing code in a Limited API build. */
import { decidedInLimitedBuild, newestBranchGuards, type NewestGuard } from '../migrate/versionGuards';
import type { Node, Tree } from '../parser';
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

const fileScope = new WeakMap<Tree, Set<string>>();

/** The names the file declares at file scope (functions, variables, types) and its macros. */
function fileScopeNames(tree: Tree, directives: Directive[]): Set<string> {
  let names = fileScope.get(tree);
  if (names) return names;
  names = new Set(directives.flatMap((d) => (d.name === 'define' ? (/^\w+/.exec(d.rest)?.[0] ?? []) : [])));
  const tops: Node[] = [];
  const collect = (n: Node): void => {
    for (const c of n.namedChildren) {
      if (!c) continue;
      // (definitions inside #if blocks are file scope too)
      if (/^preproc_(if|ifdef|else|elif|elifdef)$/.test(c.type)) collect(c);
      else tops.push(c);
    }
  };
  collect(tree.rootNode);
  for (const top of tops) {
    if (!/^(function_definition|declaration|type_definition)$/.test(top.type)) continue;
    for (const d of top.childrenForFieldName('declarator')) {
      // down the declarator chain to the name (`*f(...)`, `x[3] = …`), never into parameters
      let n: Node | null = d;
      while (n && !/identifier$/.test(n.type)) n = n.childForFieldName('declarator');
      if (n) names.add(n.text);
    }
  }
  // (a tree with an error node around them misses definitions: a function's name at the start of a line, as
  // `name(args)` under its return type or after it, is taken from the text too)
  for (const m of tree.rootNode.text.matchAll(/^(?:[A-Za-z_][\w \t*]*?[ \t*])?([A-Za-z_]\w*)[ \t]*\(/gm)) if (!/^(if|for|while|switch|return|sizeof|defined)$/.test(m[1])) names.add(m[1]);
  fileScope.set(tree, names);
  return names;
}

/** A guard none of whose branches names C API, defines a macro, or names what the file declares at file scope
 *  (`va_start(vargs)` against `va_start(vargs, format)` for headers before and after 3.12): it chooses by the
 *  headers, which PY_VERSION_HEX is right to ask. (A guard around a use of the file's own definitions goes with
 *  the guard around those definitions: both are rewritten, or neither.) */
function guardsNoApi(text: string, directives: Directive[], opening: Directive, isApi: (name: string) => boolean, tree: Tree): boolean {
  const chain = chainText(text, directives, opening);
  if (/^\s*#\s*define\b/m.test(chain) || [...chain.matchAll(/\b(_?Py[A-Za-z0-9_]*|PY_[A-Z0-9_]+)\b/g)].some((m) => isApi(m[1]))) return false;
  const own = fileScopeNames(tree, directives);
  return ![...chain.matchAll(/\b[A-Za-z_]\w*\b/g)].some((m) => own.has(m[0]));
}

export default defineRule({
  meta: { code: 'ABI008', name: 'py-version-hex-guard', reuse: 'local' },
  file(cx) {
    let conds = versionConditionsOf.get(cx.pp.conditions);
    if (!conds) versionConditionsOf.set(cx.pp.conditions, (conds = cx.pp.conditions.filter((c) => c.ids.includes('PY_VERSION_HEX'))));
    const isApi = (n: string): boolean => cx.cat.names.has(n);
    const reported = conds.filter((c) => {
      const d = c.directive;
      const raw = cx.doc.text.slice(d.start, d.end).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ');
      return !decidedInLimitedBuild(raw, cx.target.minor) && !guardsNoApi(cx.doc.text, cx.pp.directives, d, isApi, cx.tree);
    });
    const own = (n: string): boolean => fileScopeNames(cx.tree, cx.pp.directives).has(n);
    const newest = reported.length
      ? newestBranchGuards(cx.doc.text, cx.pp.directives, reported.map((c) => c.directive), cx.cat, cx.tIdx, cx.target.minor, own, (d) => guardsPolyfill(cx.doc.text, cx.pp.directives, d, isApi))
      : new Map<number, NewestGuard>();
    for (const c of reported) {
      const d = c.directive;
      // every PY_VERSION_HEX of the condition (comments blanked), all replaced by the one fix
      const raw = cx.doc.text.slice(d.start, d.end).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => ' '.repeat(m.length));
      const hits = [...raw.matchAll(/\bPY_VERSION_HEX\b/g)].map((m) => d.start + (m.index ?? 0));
      const fixes: Fix[] = hits.length
        ? [{ kind: 'replace', title: 'Test Py_LIMITED_API+0 instead (the oldest Python the binary must load on)', safety: 'unsafe', manualOnly: guardsPolyfill(cx.doc.text, cx.pp.directives, d, isApi) || undefined, edits: hits.map((at) => ({ range: cx.pos.range(at, at + 14), newText: 'Py_LIMITED_API+0' })) }]
        : [];
      // the newer branch, when it is the one that compiles under the Limited API (with shims): preferred
      const nb = newest.get(d.start);
      if (nb) fixes.unshift({ kind: 'replace', title: nb.title, safety: 'unsafe', edits: nb.edits.map((e) => ({ range: cx.pos.range(e.start, e.end), newText: e.newText })) });
      const [start, end] = hits.length ? [hits[0], hits[0] + 14] : [d.start, d.end];
      cx.report(start, end, 'PY_VERSION_HEX is the version of the headers used for the build, not of the Python that will load this abi3 binary; test Py_LIMITED_API+0 to choose API', {
        identifier: 'PY_VERSION_HEX',
        fixes,
      });
    }
  },
});
