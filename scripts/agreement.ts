/**
 * Measures how far abi3lint agrees with the compiler on real code:
 *
 *   node out/scripts/agreement.js --target 3.9 [--headers 3.9,3.15] [-I dir]... [-D NAME[=V]]... paths...
 *
 * For every .c file that compiles cleanly against the newest headers without Py_LIMITED_API (the baseline:
 * files for other platforms or with missing generated headers are skipped and counted), gcc compiles it again
 * with -DPy_LIMITED_API=<target> against each listed header version. The lines gcc rejects (attributed through
 * macro-expansion notes to the file's own lines) are the compiler's verdict; the lines where abi3lint reports a
 * compiler-visible finding at the same target are ours. Prints per-file differences, precision and recall.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadCatalog, targetIndex } from '../server/src/core/catalog';
import { lint } from '../server/src/core/lint';
import { initParser } from '../server/src/core/parser';
import { parseTargetOption, minorToHex } from '../server/src/core/version';
import { CACHE } from './cache';

const VISIBLE = new Set(['ABI001', 'ABI002', 'ABI004', 'ABI005', 'ABI006', 'ABI007', 'ABI009', 'ABI012', 'ABI015']);

function cFiles(p: string): string[] {
  const st = fs.statSync(p);
  if (st.isFile()) return p.endsWith('.c') ? [path.resolve(p)] : [];
  const out: string[] = [];
  for (const e of fs.readdirSync(p, { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name === 'build' || e.name === 'node_modules') continue;
    const q = path.join(p, e.name);
    if (e.isDirectory()) out.push(...cFiles(q));
    else if (e.name.endsWith('.c')) out.push(path.resolve(q));
  }
  return out.sort();
}

/** Lines of `file` where gcc reports an error, following macro-expansion notes back into the file. */
function gccErrors(file: string, args: string[]): { lines: Set<number>; errors: number; output: string; undeclared: Set<string> } {
  const r = spawnSync('gcc', ['-fsyntax-only', '-fmax-errors=0', '-Werror=implicit-function-declaration', '-Werror=implicit-int', ...args, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const lines = new Set<number>();
  const undeclared = new Set<string>();
  let errors = 0;
  const out = r.stderr.split('\n');
  for (const l of out) {
    const u = /error: (?:implicit declaration of function|unknown type name) ['‘](\w+)['’]|error: ['‘](\w+)['’] undeclared/.exec(l);
    if (u) undeclared.add(u[1] ?? u[2]);
  }
  for (let i = 0; i < out.length; i++) {
    const m = /^(.+?):(\d+):\d+: (?:fatal )?error:/.exec(out[i]);
    if (!m) continue;
    errors++;
    if (path.resolve(m[1]) === file) {
      lines.add(Number(m[2]));
      continue;
    }
    for (let j = i + 1; j < out.length && !/: (?:fatal )?error:/.test(out[j]); j++) {
      const n = /^(.+?):(\d+):\d+: note: in (?:expansion of macro|definition of macro)/.exec(out[j]);
      if (n && path.resolve(n[1]) === file) {
        lines.add(Number(n[2]));
        break;
      }
    }
  }
  return { lines, errors, output: r.stderr, undeclared };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      headers: { type: 'string' },
      I: { type: 'string', short: 'I', multiple: true },
      D: { type: 'string', short: 'D', multiple: true },
      verbose: { type: 'boolean', short: 'v' },
    },
  });
  const t = parseTargetOption(values.target ?? '');
  if (!t.ok) throw new Error(`--target: ${t.reason}`);
  const target = t.minor;
  const headerVersions = (values.headers ?? `3.${Math.max(6, target)},3.15`).split(',');
  const headerDir = (v: string): string => {
    const d = path.join(CACHE, 'headers', v);
    if (!fs.existsSync(path.join(d, 'Python.h'))) throw new Error(`no ${v} headers in ${d}: run npm run data:headers`);
    return d;
  };
  const extra = [...(values.I ?? []).map((d) => `-I${path.resolve(d)}`), ...(values.D ?? []).map((d) => `-D${d}`)];
  const cat = loadCatalog();
  let nMasked = 0;
  let nBeyond = 0;
  let nCascade = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let files = 0;
  const skipped: string[] = [];
  for (const p of positionals) {
    for (const file of cFiles(p)) {
      const base = gccErrors(file, ['-I', headerDir('3.15'), `-I${path.dirname(file)}`, ...extra]);
      if (base.errors) {
        skipped.push(`${file}: ${base.errors} errors without Py_LIMITED_API`);
        continue;
      }
      files++;
      const compiler = new Set<number>();
      const undeclared = new Set<string>();
      for (const v of headerVersions) {
        const r = gccErrors(file, ['-I', headerDir(v), `-I${path.dirname(file)}`, `-DPy_LIMITED_API=${minorToHex(target)}`, ...extra]);
        for (const l of r.lines) compiler.add(l);
        for (const n of r.undeclared) undeclared.add(n);
      }
      const text = fs.readFileSync(file, 'utf8');
      const res = await lint({ path: file, text }, { settings: { target: `3.${target}`, includeDirs: (values.I ?? []).map((d) => path.resolve(d)) }, buildConfig: null });
      // ABI003 (private) is visible to the compiler too where the limited headers do not declare the name at
      // the target (ABI002 lines gcc cannot see, link breaks and names only newer headers declare, are set apart below)
      const cat = loadCatalog();
      const undeclaredAtTarget = (n: string | undefined): boolean => !!n && (cat.names.get(n)?.limited?.[targetIndex(target)] ?? 'N') === 'N';
      const visible = res.findings.filter((f) => VISIBLE.has(f.code) || (f.code === 'ABI003' && undeclaredAtTarget(f.identifier)));
      // gcc reports an implicit declaration at a name's first use only: a later use of a name gcc called
      // undeclared is the same error, so those lines count as the compiler's verdict too
      for (const f of visible) if (f.identifier && undeclared.has(f.identifier)) compiler.add(f.range.start.line + 1);
      const ours = new Set(visible.map((f) => f.range.start.line + 1));
      // gcc's error recovery: a function whose signature it rejects (an unknown parameter type) is skipped
      // whole, so nothing inside is reported; those lines are 'masked', not disagreements.
      const masked = new Set<number>();
      const { parser } = await initParser();
      const tree = parser.parse(text)!;
      for (const fnode of tree.rootNode.descendantsOfType('function_definition')) {
        const body = fnode?.childForFieldName('body');
        if (!fnode || !body) continue;
        const sigLines = [fnode.startPosition.row + 1, body.startPosition.row + 1];
        if ([...compiler].some((l) => l >= sigLines[0] && l <= sigLines[1])) {
          for (let l = body.startPosition.row + 1; l <= body.endPosition.row + 1; l++) masked.add(l);
        }
      }
      tree.delete();
      // a static PyTypeObject, or a static table of another type the Limited API makes opaque
      // (PySequenceMethods, ...): gcc also rejects its initializer lines (a cascade of the one finding)
      const cascade = new Set<number>();
      const lines = text.split('\n');
      const OPAQUE_TABLE = /^(PyNumberMethods|PySequenceMethods|PyMappingMethods|PyAsyncMethods|PyBufferProcs)$/;
      for (const f of visible.filter((x) => x.code === 'ABI006' || (x.code === 'ABI001' && OPAQUE_TABLE.test(x.identifier ?? '') && /\bstatic\b.*=\s*\{?\s*$/.test(lines[x.range.start.line] ?? '')))) {
        for (let l = f.range.start.line + 2; l <= lines.length && !/^\s*};/.test(lines[l - 2] ?? ''); l++) cascade.add(l);
      }
      // names the headers of newer versions declare at this target without a guard (G) or whose symbol the
      // manifest adds later (M): the binary fails to load on the target, but no compiler can see it
      const tIdx = targetIndex(target);
      const beyond = new Set<number>();
      const byLine = new Map<number, typeof visible>();
      for (const f of visible) byLine.set(f.range.start.line + 1, [...(byLine.get(f.range.start.line + 1) ?? []), f]);
      for (const [l, fs] of byLine) {
        if (fs.every((f) => f.code === 'ABI002' && f.identifier && /[GM]/.test(cat.names.get(f.identifier)?.limited?.[tIdx] ?? ''))) beyond.add(l);
      }
      const missed = [...compiler].filter((l) => !ours.has(l) && !cascade.has(l)).sort((a, b) => a - b);
      const extraAll = [...ours].filter((l) => !compiler.has(l));
      const extraLines = extraAll.filter((l) => !masked.has(l) && !beyond.has(l)).sort((a, b) => a - b);
      nMasked += extraAll.filter((l) => masked.has(l)).length;
      nBeyond += extraAll.filter((l) => !masked.has(l) && beyond.has(l)).length;
      nCascade += [...compiler].filter((l) => !ours.has(l) && cascade.has(l)).length;
      const agree = [...ours].filter((l) => compiler.has(l)).length;
      tp += agree;
      fp += extraLines.length;
      fn += missed.length;
      if (missed.length || extraLines.length || values.verbose) {
        process.stdout.write(`${path.relative(process.cwd(), file)}: agree ${agree}, abi3lint only ${extraLines.length} [${extraLines.join(' ')}], gcc only ${missed.length} [${missed.join(' ')}]\n`);
        for (const l of extraLines.slice(0, 8)) process.stdout.write(`   + ${l}: ${lines[l - 1]?.trim().slice(0, 100)}\n`);
        for (const l of missed.slice(0, 8)) process.stdout.write(`   - ${l}: ${lines[l - 1]?.trim().slice(0, 100)}\n`);
      }
    }
  }
  for (const s of skipped) process.stdout.write(`skipped ${path.relative(process.cwd(), s)}\n`);
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp + fn ? tp / (tp + fn) : 1;
  process.stdout.write(
    `\n${files} files compiled (${skipped.length} skipped), target 3.${target}, headers ${headerVersions.join(', ')}: ` +
      `${tp} lines agree, ${fp} only abi3lint, ${fn} only gcc; precision ${(100 * precision).toFixed(1)}%, recall ${(100 * recall).toFixed(1)}%\n` +
      `not counted: ${nMasked} abi3lint lines inside functions gcc skipped after rejecting their signature, ${nBeyond} too-new names gcc cannot see (unguarded in newer headers or manifest-only), ${nCascade} gcc lines cascading from a static PyTypeObject\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`agreement: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
