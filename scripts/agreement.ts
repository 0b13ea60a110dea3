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
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadCatalog, targetIndex, type Catalog } from '../server/src/core/catalog';
import { lint } from '../server/src/core/lint';
import { initParser } from '../server/src/core/parser';
import { typedefName } from '../server/src/core/rules/ABI005-opaque-struct-member';
import type { Finding } from '../server/src/core/types';
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

interface GccResult {
  lines: Set<number>;
  errors: number;
  output: string;
  undeclared: Set<string>;
  /** The file's own lines: gcc's error messages on each (after macro-expansion notes). */
  messages: Map<number, string[]>;
}

/** Lines of `file` where gcc reports an error, following macro-expansion notes back into the file. */
function gccErrors(file: string, args: string[]): GccResult {
  const r = spawnSync('gcc', ['-fsyntax-only', '-fmax-errors=0', '-Werror=implicit-function-declaration', '-Werror=implicit-int', ...args, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const lines = new Set<number>();
  const undeclared = new Set<string>();
  const messages = new Map<number, string[]>();
  const add = (l: number, msg: string): void => {
    lines.add(l);
    messages.set(l, [...(messages.get(l) ?? []), msg]);
  };
  let errors = 0;
  const out = r.stderr.split('\n');
  for (const l of out) {
    const u = /error: (?:implicit declaration of function|unknown type name) ['‘](\w+)['’]|error: ['‘](\w+)['’] undeclared/.exec(l);
    if (u) undeclared.add(u[1] ?? u[2]);
  }
  for (let i = 0; i < out.length; i++) {
    const m = /^(.+?):(\d+):\d+: (?:fatal )?error: (.*)$/.exec(out[i]);
    if (!m) continue;
    errors++;
    if (path.resolve(m[1]) === file) {
      add(Number(m[2]), m[3]);
      continue;
    }
    for (let j = i + 1; j < out.length && !/: (?:fatal )?error:/.test(out[j]); j++) {
      const n = /^(.+?):(\d+):\d+: note: in (?:expansion of macro|definition of macro)/.exec(out[j]);
      if (n && path.resolve(n[1]) === file) {
        add(Number(n[2]), m[3]);
        break;
      }
    }
  }
  return { lines, errors, output: r.stderr, undeclared, messages };
}

/**
 * A name-level probe: is `f`'s name (or member) usable in a file of its own that includes only the Python
 * headers, compiled with -DPy_LIMITED_API=<target> against each header version? Answers the header versions
 * that reject it (empty: the probe does not confirm the finding). It checks lines gcc could not judge in the
 * real file: after a syntax error its recovery skips statements, and inside an initializer it rejects once.
 */
function probe(f: Finding, cat: Catalog, target: number, headers: string[], headerDir: (v: string) => string, sysIncludes: string[]): string[] {
  const name = f.identifier;
  if (!name) return [];
  let body: string;
  if (f.code === 'ABI005') {
    const owner = cat.members.get(name)?.map((o) => typedefName(cat, o)).find((o) => !o.startsWith('struct ')) ?? cat.members.get(name)?.[0];
    if (!owner) return [];
    body = `void probe(${owner} *o) { (void)sizeof(o->${name}); }\n`;
  } else if (f.code === 'ABI006') {
    body = `static PyTypeObject probe_type = {0};\n`;
  } else {
    const kind = cat.names.get(name)?.kind ?? 'function';
    if (/macro/.test(kind)) body = `#ifndef ${name}\n#error ${name} is not defined\n#endif\n`;
    else if (kind === 'typedef') body = `typedef ${name} probe_t;\n`;
    else if (kind.startsWith('struct') || kind.startsWith('union') || name.includes(' ')) return [];
    else body = `void probe(void) { (void)(${name}); }\n`;
  }
  const src = path.join(os.tmpdir(), `abi3lint-probe-${process.pid}.c`);
  // a C library name (ABI015) is probed with every system header the file includes anywhere (those this
  // machine has), so a declaration it gets from them on some platform is not counted against it
  const sys = f.code === 'ABI015' ? sysIncludes.map((h) => `#if __has_include(<${h}>)\n#include <${h}>\n#endif\n`).join('') : '';
  fs.writeFileSync(src, `#include <Python.h>\n#include <structmember.h>\n${sys}${body}`);
  const rejected = headers.filter((v) => spawnSync('gcc', ['-fsyntax-only', '-Werror=implicit-function-declaration', '-I', headerDir(v), `-DPy_LIMITED_API=${minorToHex(target)}`, src]).status !== 0);
  fs.rmSync(src, { force: true });
  return rejected;
}

/** Variables declared on `line` with a type gcc called unknown there (`Py_buffer buffer;`). */
function variablesOfUnknownType(text: string, msgs: string[] | undefined): string[] {
  const out: string[] = [];
  for (const m of msgs ?? []) {
    const t = /unknown type name ['‘](\w+)['’]/.exec(m)?.[1];
    if (!t) continue;
    for (const v of text.matchAll(new RegExp(`\\b${t}\\s*\\**\\s*(\\w+)\\s*[;=,[)]`, 'g'))) out.push(v[1]);
  }
  return out;
}

interface Totals {
  files: number;
  tp: number;
  probed: number;
  fp: number;
  fn: number;
  masked: number;
  beyond: number;
  cascade: { table: number; unknownType: number; rejectedFunction: number };
  link: number;
  runtime: number;
  skipped: string[];
}

interface Options {
  target: number;
  headerVersions: string[];
  headerDir: (v: string) => string;
  extra: string[];
  includeDirs: string[];
  verbose: boolean;
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
  const opts: Options = { target, headerVersions, headerDir, extra, includeDirs: (values.I ?? []).map((d) => path.resolve(d)), verbose: !!values.verbose };
  const tot: Totals = { files: 0, tp: 0, probed: 0, fp: 0, fn: 0, masked: 0, beyond: 0, cascade: { table: 0, unknownType: 0, rejectedFunction: 0 }, link: 0, runtime: 0, skipped: [] };
  for (const p of positionals) for (const file of cFiles(p)) await measureFile(file, opts, tot);
  for (const s of tot.skipped) process.stdout.write(`skipped ${path.relative(process.cwd(), s)}\n`);
  const agree = tot.tp + tot.probed;
  const precision = agree + tot.fp ? agree / (agree + tot.fp) : 1;
  const recall = agree + tot.fn ? agree / (agree + tot.fn) : 1;
  const c = tot.cascade;
  process.stdout.write(
    `\n${tot.files} files compiled (${tot.skipped.length} skipped), target 3.${target}, headers ${headerVersions.join(', ')}: ` +
      `${tot.tp} lines agree with gcc, ${tot.probed} more confirmed by a name-level probe, ${tot.fp} only abi3lint, ${tot.fn} only gcc; precision ${(100 * precision).toFixed(1)}%, recall ${(100 * recall).toFixed(1)}%\n` +
      `of which ${tot.masked} abi3lint lines are inside functions gcc skipped after rejecting their signature (each probed); not counted: ` +
      `${tot.beyond} lines with too-new names gcc cannot see (link-level: unguarded in newer headers or manifest-only); ` +
      `gcc cascades: ${c.table} lines of static type/table initializers, ${c.unknownType} uses of variables whose type gcc rejected, ${c.rejectedFunction} calls of functions whose definition gcc rejected\n` +
      `by kind (all abi3lint findings): ${tot.link} link-level, ${tot.runtime} runtime-level (ABI016/ABI017)\n` +
      `JSON ${JSON.stringify({ target, files: tot.files, skipped: tot.skipped.length, agree: tot.tp, probed: tot.probed, abi3lintOnly: tot.fp, gccOnly: tot.fn, masked: tot.masked, beyond: tot.beyond, cascade: c, link: tot.link, runtime: tot.runtime })}\n`,
  );
}

/** Lines where gcc rejected a function's signature (and so skipped its body), with the functions' names. */
async function rejectedFunctions(text: string, compiler: Set<number>): Promise<{ masked: Set<number>; names: Set<string> }> {
  const masked = new Set<number>();
  const names = new Set<string>();
  const { parser } = await initParser();
  const tree = parser.parse(text)!;
  for (const fnode of tree.rootNode.descendantsOfType('function_definition')) {
    const body = fnode?.childForFieldName('body');
    if (!fnode || !body) continue;
    const sigLines = [fnode.startPosition.row + 1, body.startPosition.row + 1];
    if (![...compiler].some((l) => l >= sigLines[0] && l <= sigLines[1])) continue;
    for (let l = body.startPosition.row + 1; l <= body.endPosition.row + 1; l++) masked.add(l);
    const id = fnode.childForFieldName('declarator')?.descendantsOfType('identifier')[0];
    if (id) names.add(id.text);
  }
  tree.delete();
  return { masked, names };
}

async function measureFile(file: string, o: Options, tot: Totals): Promise<void> {
  const base = gccErrors(file, ['-I', o.headerDir('3.15'), `-I${path.dirname(file)}`, ...o.extra]);
  if (base.errors) {
    tot.skipped.push(`${file}: ${base.errors} errors without Py_LIMITED_API`);
    return;
  }
  tot.files++;
  const compiler = new Set<number>();
  const undeclared = new Set<string>();
  const messages = new Map<number, string[]>();
  for (const v of o.headerVersions) {
    const r = gccErrors(file, ['-I', o.headerDir(v), `-I${path.dirname(file)}`, `-DPy_LIMITED_API=${minorToHex(o.target)}`, ...o.extra]);
    for (const l of r.lines) compiler.add(l);
    for (const n of r.undeclared) undeclared.add(n);
    for (const [l, m] of r.messages) messages.set(l, [...(messages.get(l) ?? []), ...m]);
  }
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const sysIncludes = [...text.matchAll(/^\s*#\s*include\s*<([^>]+)>/gm)].map((m) => m[1]).filter((h) => h !== 'Python.h');
  const res = await lint({ path: file, text }, { settings: { target: `3.${o.target}`, includeDirs: o.includeDirs }, buildConfig: null });
  tot.link += res.findings.filter((f) => f.kind === 'link').length;
  tot.runtime += res.findings.filter((f) => f.kind === 'runtime').length;
  // ABI003 (private) is visible to the compiler too where the limited headers do not declare the name at
  // the target (ABI002 lines gcc cannot see, link breaks and names only newer headers declare, are set apart below)
  const cat = loadCatalog();
  const tIdx = targetIndex(o.target);
  const undeclaredAtTarget = (n: string | undefined): boolean => !!n && (cat.names.get(n)?.limited?.[tIdx] ?? 'N') === 'N';
  const visible = res.findings.filter((f) => VISIBLE.has(f.code) || (f.code === 'ABI003' && undeclaredAtTarget(f.identifier)));
  // gcc reports an implicit declaration at a name's first use only: a later use of a name gcc called
  // undeclared is the same error, so those lines count as the compiler's verdict too
  for (const f of visible) if (f.identifier && undeclared.has(f.identifier)) compiler.add(f.range.start.line + 1);
  const ours = new Set(visible.map((f) => f.range.start.line + 1));
  // gcc's error recovery: a function whose signature it rejects (an unknown parameter type) is skipped
  // whole, so nothing inside is reported; those lines are 'masked', not disagreements.
  const { masked, names: rejectedNames } = await rejectedFunctions(text, compiler);
  const cascade = gccCascades(visible, lines, messages, rejectedNames);
  // names the headers of newer versions declare at this target without a guard (G) or whose symbol the
  // manifest adds later (M): the binary fails to load on the target, but no compiler can see it
  const beyond = new Set<number>();
  const byLine = new Map<number, Finding[]>();
  for (const f of visible) byLine.set(f.range.start.line + 1, [...(byLine.get(f.range.start.line + 1) ?? []), f]);
  for (const [l, fs] of byLine) {
    if (fs.every((f) => f.code === 'ABI002' && f.identifier && /[GM]/.test(cat.names.get(f.identifier)?.limited?.[tIdx] ?? ''))) beyond.add(l);
  }
  const missed = [...compiler].filter((l) => !ours.has(l) && !cascade.has(l)).sort((a, b) => a - b);
  const extraAll = [...ours].filter((l) => !compiler.has(l));
  // lines gcc did not judge (inside functions it skipped) are probed too: they count only when confirmed
  const unseen = extraAll.filter((l) => !beyond.has(l)).sort((a, b) => a - b);
  // what gcc did not say on a line, a probe of the line's names in a file of their own may confirm
  const probedLines: string[] = [];
  const extraLines: number[] = [];
  for (const l of unseen) {
    const rejected = byLine.get(l)!.map((f) => ({ f, by: probe(f, cat, o.target, o.headerVersions, o.headerDir, sysIncludes) })).find((x) => x.by.length);
    if (rejected) probedLines.push(`${l} (${rejected.f.code} ${rejected.f.identifier}: rejected alone with headers ${rejected.by.join(', ')}${masked.has(l) ? '; in a function gcc skipped' : ''})`);
    else extraLines.push(l);
  }
  tot.masked += extraAll.filter((l) => masked.has(l)).length;
  tot.beyond += extraAll.filter((l) => beyond.has(l)).length;
  for (const l of compiler) {
    const why = !ours.has(l) && cascade.get(l);
    if (why) tot.cascade[why]++;
  }
  const agree = [...ours].filter((l) => compiler.has(l)).length;
  tot.tp += agree;
  tot.probed += probedLines.length;
  tot.fp += extraLines.length;
  tot.fn += missed.length;
  if (missed.length || extraLines.length || probedLines.length || o.verbose) {
    process.stdout.write(`${path.relative(process.cwd(), file)}: agree ${agree}, by probe ${probedLines.length}, abi3lint only ${extraLines.length} [${extraLines.join(' ')}], gcc only ${missed.length} [${missed.join(' ')}]\n`);
    for (const p of o.verbose ? probedLines : probedLines.filter((x) => !x.includes('gcc skipped'))) process.stdout.write(`   ~ ${p}: ${lines[Number.parseInt(p, 10) - 1]?.trim().slice(0, 80)}\n`);
    for (const l of extraLines.slice(0, 8)) process.stdout.write(`   + ${l}: ${lines[l - 1]?.trim().slice(0, 100)}\n`);
    for (const l of missed.slice(0, 8)) process.stdout.write(`   - ${l}: ${lines[l - 1]?.trim().slice(0, 100)} [${(messages.get(l) ?? []).join('; ').slice(0, 120)}]\n`);
  }
}

type CascadeKind = 'table' | 'unknownType' | 'rejectedFunction';

/**
 * gcc lines that follow from an error abi3lint reports elsewhere, each recognised by gcc's own messages:
 * the initializer of a static PyTypeObject or opaque method table (one finding, on its type); a member of a
 * variable whose declaration gcc rejected for an unknown type (`Py_buffer buffer;` then `buffer.buf`); a call of
 * a function of the file whose definition gcc rejected (its parameter type is unknown, so the call is implicit).
 */
function gccCascades(visible: Finding[], lines: string[], messages: Map<number, string[]>, rejectedFunctions: Set<string>): Map<number, CascadeKind> {
  const cascade = new Map<number, CascadeKind>();
  const OPAQUE_TABLE = /^(PyNumberMethods|PySequenceMethods|PyMappingMethods|PyAsyncMethods|PyBufferProcs)$/;
  for (const f of visible.filter((x) => x.code === 'ABI006' || (x.code === 'ABI001' && OPAQUE_TABLE.test(x.identifier ?? '') && /\bstatic\b.*=\s*\{?\s*$/.test(lines[x.range.start.line] ?? '')))) {
    for (let l = f.range.start.line + 2; l <= lines.length && !/^\s*};/.test(lines[l - 2] ?? ''); l++) cascade.set(l, 'table');
  }
  const reported = new Set(visible.map((f) => f.range.start.line + 1));
  const badVars = new Set<string>();
  for (const l of reported) for (const v of variablesOfUnknownType(lines[l - 1] ?? '', messages.get(l))) badVars.add(v);
  for (const [l, msgs] of messages) {
    if (cascade.has(l)) continue;
    const onBadVar = msgs.every((m) => /request for member|invalid use of|not a structure or union/.test(m)) && [...badVars].some((v) => new RegExp(`\\b${v}\\b`).test(lines[l - 1] ?? ''));
    const toRejected = msgs.every((m) => rejectedFunctions.has(/implicit declaration of function ['‘](\w+)['’]/.exec(m)?.[1] ?? ''));
    if (onBadVar) cascade.set(l, 'unknownType');
    else if (toRejected) cascade.set(l, 'rejectedFunction');
  }
  return cascade;
}

main().catch((e) => {
  process.stderr.write(`agreement: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
