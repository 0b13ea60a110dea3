/** ABI017 rejected-by-newer-python: code that works on older Pythons but that a later 3.x rejects or changes,
 *  so the wheel stops working on a future Python; facts and runtime proofs in data/behaviour.json. */
import { siteFixes, siteMessage, sitesOf } from './behaviour-sites';
import { defineRule } from './rule';

export default defineRule({
  meta: { code: 'ABI017', name: 'rejected-by-newer-python', reuse: 'local' },
  file(cx) {
    for (const site of sitesOf(cx)) {
      const f = site.fact;
      if (f.direction !== 'rejected') continue;
      const lead = `stops working from Python ${f.version}`;
      cx.report(site.start, site.end, siteMessage(cx, site, lead), { kind: 'runtime', fixes: siteFixes(cx, site) });
    }
  },
});
