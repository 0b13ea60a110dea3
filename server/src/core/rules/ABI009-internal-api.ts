/** ABI009 internal-api: CPython's internal API (Py_BUILD_CORE, pycore_*.h), which has no stability promise. */
import { defineRule } from './rule';

const INTERNAL_HEADER = /^[<"](?:internal\/)?pycore_\w+\.h[>"]$|^[<"]internal\//;

export default defineRule({
  meta: { code: 'ABI009', name: 'internal-api', reuse: 'local' },
  create: (cx) => ({
    name(use) {
      if (use.entry || !cx.cat.internal.has(use.name) || use.declares() || cx.project.isName(use.name)) return;
      cx.report(use.start, use.end, `'${use.name}' is declared only by CPython's internal headers (Py_BUILD_CORE); it is not part of any stable API`, { identifier: use.name });
    },
    include(spec, start, end) {
      if (!INTERNAL_HEADER.test(spec)) return;
      cx.report(start, end, `${spec} is one of CPython's internal headers; it requires Py_BUILD_CORE and is not part of any stable API`, { identifier: spec });
    },
    define(name, start, end) {
      if (!/^Py_BUILD_CORE/.test(name)) return;
      cx.report(start, end, `${name} exposes CPython's internal API, which has no stability promise and is disabled under Py_LIMITED_API`, { identifier: name });
    },
  }),
});
