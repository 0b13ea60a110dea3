/** ABI008 py-version-hex-guard: PY_VERSION_HEX choosing code in a Limited API build. */
import type { ConditionUse } from '../preproc';
import type { Fix } from '../types';
import { defineRule } from './rule';

/** The conditions of one #if evaluation that test PY_VERSION_HEX (its moved copies share `conditions`). */
const versionConditionsOf = new WeakMap<ConditionUse[], ConditionUse[]>();

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
        ? [{ kind: 'replace', title: 'Test Py_LIMITED_API+0 instead (the oldest Python the binary must load on)', safety: 'unsafe', edits: hits.map((at) => ({ range: cx.pos.range(at, at + 14), newText: 'Py_LIMITED_API+0' })) }]
        : [];
      const [start, end] = hits.length ? [hits[0], hits[0] + 14] : [d.start, d.end];
      cx.report(start, end, 'PY_VERSION_HEX is the version of the headers used for the build, not of the Python that will load this abi3 binary; test Py_LIMITED_API+0 to choose API', {
        identifier: 'PY_VERSION_HEX',
        fixes,
      });
    }
  },
});
