/** ABI016 behaviour-newer-than-target: code that compiles and links at the target but needs behaviour of a later
 *  Python (a format unit, a slot, a flag, an argument value); facts and runtime proofs in data/behaviour.json. */
import { raiseTargetFix } from '../fixes';
import { minorToString } from '../version';
import { factVersion, siteFixes, siteMessage, sitesOf } from './behaviour-sites';
import { defineRule } from './rule';

export default defineRule({
  meta: { code: 'ABI016', name: 'behaviour-newer-than-target', reuse: 'local' },
  // A whole-file check: a site spans a call or an initializer, which an edit elsewhere can change.
  file(cx) {
    for (const site of sitesOf(cx)) {
      const f = site.fact;
      if (f.direction !== 'needs' || factVersion(f) <= cx.target.minor) continue;
      const lead = `needs Python ${f.version} at run time (the target is ${minorToString(cx.target.minor)})`;
      const fixes = siteFixes(cx, site);
      const raise = raiseTargetFix(cx.doc.text, cx.pos, cx.limitedDefineInFile, factVersion(f), ': drops support for older Pythons');
      if (raise) fixes.push(raise);
      cx.report(site.start, site.end, siteMessage(cx, site, lead), { kind: 'runtime', fixes });
    }
  },
});
