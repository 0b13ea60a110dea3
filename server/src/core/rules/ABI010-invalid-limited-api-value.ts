/** ABI010 invalid-limited-api-value: a target define with no effect, an invalid value, or two that disagree. */
import { defineRule } from './rule';

export default defineRule({
  meta: { code: 'ABI010', name: 'invalid-limited-api-value', reuse: 'local' },
  config(cx) {
    for (const p of cx.targetProblems) cx.report(cx.pos.range(p.define.directive.start, p.define.directive.end), p.message);
  },
});
