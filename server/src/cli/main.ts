/**
 * abi3lint: the command line, a thin adapter over lint().
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { dataDir, loadCatalog } from '../core/catalog';
import { initParser } from '../core/parser';
import { parseSettings, type Settings } from '../core/settings';
import type { LintResult, Severity } from '../core/types';
import { minorToHex, minorToString, parseTargetOption } from '../core/version';
import { formatGithub, formatSarif, formatText, JSON_HEAD, JSON_TAIL } from './format';
import { collectCFiles } from '../core/walk';
import type { CheckOptions, CheckOutcome } from './check';
import { buildHints } from './buildhints';
import { auditMain } from './audit';
import { migrateMain } from './migrate';
import { checkAll } from './parallel';

export const VERSION = '0.1.0';

const HELP = `abi3lint ${VERSION}: check CPython C extensions against the Limited API / Stable ABI

Usage: abi3lint [options] [paths...]     (files or folders; default: .)
       abi3lint migrate [--target 3.X] [--write] [paths...]   (rewrite toward the Limited API: see migrate --help)
       abi3lint audit [--tag cp3X-abi3] <wheel | module | folder>...   (check built modules: see audit --help)

Options:
  --target <3.X|0x...>   target for files without their own Py_LIMITED_API define or build config
  --abi3t                check against abi3t (free-threaded stable ABI, 3.15+)
  --format <fmt>         text (default), json, sarif, github
  --fix                  apply safe fixes in place
  --unsafe-fixes         with --fix, also apply unsafe fixes (review the diff)
  --min-version          print the lowest Py_LIMITED_API each file can use
  --explain <CODE>       print the documentation of a rule (ABI004 or macro-only-api)
  --select <codes>       only these rules (comma-separated codes or names)
  --ignore <codes>       skip these rules
  --include-dir <dir>    also search this folder for #include "..." headers (repeatable)
  --exclude <glob>       skip files matching this glob (repeatable)
  -j, --jobs <n|auto>    check files in n threads (1: no threads); auto, the default: a thread per
                         16 MB of C files, up to the number of cores (a thread costs its own start)
  --no-progress          no progress line on stderr
  -q, --quiet            print findings only, no summary
  -h, --help             this help
  -V, --version          the version

Exit status: 0 no error-level finding, 1 findings, 2 usage or internal error.`;

class UsageError extends Error {}

interface Args {
  paths: string[];
  settings: Settings;
  format: 'text' | 'json' | 'sarif' | 'github';
  fix: boolean;
  unsafeFixes: boolean;
  minVersion: boolean;
  select?: string[];
  ignore?: string[];
  progress: boolean;
  quiet: boolean;
  jobs: number | 'auto';
}

function splitList(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const arr = Array.isArray(v) ? v : [v];
  return arr.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
}

function parse(argv: string[]): Args | { explain: string } | 'help' | 'version' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        target: { type: 'string' },
        abi3t: { type: 'boolean' },
        format: { type: 'string' },
        fix: { type: 'boolean' },
        'unsafe-fixes': { type: 'boolean' },
        'min-version': { type: 'boolean' },
        explain: { type: 'string' },
        select: { type: 'string', multiple: true },
        ignore: { type: 'string', multiple: true },
        'include-dir': { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true },
        jobs: { type: 'string', short: 'j' },
        'no-progress': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.replace(/\. To specify.*$/, '') : String(e));
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (v.version) return 'version';
  if (v.explain !== undefined) return { explain: v.explain };
  const format = v.format ?? 'text';
  if (!['text', 'json', 'sarif', 'github'].includes(format)) throw new UsageError(`--format: '${format}' is not one of text, json, sarif, github`);
  if (v.target !== undefined) {
    const t = parseTargetOption(v.target);
    if (!t.ok) throw new UsageError(`--target: ${t.reason}`);
  }
  const { settings, problems } = parseSettings({
    target: v.target ?? null,
    abi3t: v.abi3t ?? false,
    includeDirs: v['include-dir'] ?? [],
    exclude: v.exclude ?? [],
  });
  if (problems.length) throw new UsageError(problems.join('; '));
  const cat = loadCatalog();
  const check = (list: string[] | undefined, flag: string): string[] | undefined => {
    for (const x of list ?? []) {
      if (!cat.rules.has(x.toUpperCase()) && !cat.rulesByName.has(x)) throw new UsageError(`${flag}: unknown rule '${x}' (see --explain or docs/rules/)`);
    }
    return list;
  };
  if (v['unsafe-fixes'] && !v.fix) throw new UsageError('--unsafe-fixes goes with --fix');
  const jobs = v.jobs === undefined || v.jobs === 'auto' ? 'auto' : Number(v.jobs);
  if (jobs !== 'auto' && (!Number.isInteger(jobs) || jobs < 1 || jobs > 256)) throw new UsageError(`--jobs: '${v.jobs}' is not auto or a whole number from 1 to 256`);
  return {
    paths: parsed.positionals.length ? parsed.positionals : ['.'],
    settings,
    format: format as Args['format'],
    fix: !!v.fix,
    unsafeFixes: !!v['unsafe-fixes'],
    minVersion: !!v['min-version'],
    select: check(splitList(v.select), '--select'),
    ignore: check(splitList(v.ignore), '--ignore'),
    progress: !v['no-progress'],
    quiet: !!v.quiet,
    jobs,
  };
}

function docsDir(): string {
  const data = dataDir();
  return path.join(path.dirname(data), 'docs', 'rules');
}

function explain(code: string, out: NodeJS.WritableStream): number {
  const cat = loadCatalog();
  const rule = cat.rules.get(code.toUpperCase()) ?? cat.rulesByName.get(code);
  if (!rule) throw new UsageError(`--explain: unknown rule '${code}'`);
  const file = path.join(docsDir(), `${rule.code}.md`);
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `${rule.code} (${rule.name})\n\n${rule.summary}\n`;
  out.write(text.endsWith('\n') ? text : text + '\n');
  return 0;
}

/** `entry`: the CLI's own entry file, which worker threads run (--jobs); without it everything runs here. */
export async function main(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean }; cwd: string; entry?: string }): Promise<number> {
  if (argv[0] === 'migrate') return migrateMain(argv.slice(1), io);
  if (argv[0] === 'audit') return auditMain(argv.slice(1), io, VERSION);
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`abi3lint: ${e.message}\n(see abi3lint --help)\n`);
      return 2;
    }
    throw e;
  }
  if (args === 'help') {
    io.stdout.write(HELP + '\n');
    return 0;
  }
  if (args === 'version') {
    io.stdout.write(`abi3lint ${VERSION}\n`);
    return 0;
  }
  if ('explain' in args) {
    try {
      return explain(args.explain, io.stdout);
    } catch (e) {
      io.stderr.write(`abi3lint: ${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    }
  }
  // the parser's WebAssembly compiles in the background while the files are found and the data loaded
  void initParser().catch(() => undefined);
  const { files, problems } = collectCFiles(args.paths, { base: io.cwd, exclude: args.settings.exclude });
  for (const m of problems) io.stderr.write(`abi3lint: ${m}\n`);
  if (problems.length && files.length === 0) return 2;
  const showProgress = args.progress && !!io.stderr.isTTY && files.length > 20;
  const json = args.format === 'json' && !args.minVersion;
  const options: CheckOptions = { settings: args.settings, select: args.select, ignore: args.ignore, fix: args.fix, unsafeFixes: args.unsafeFixes, cwd: io.cwd, json };
  const results: LintResult[] = [];
  const statuses: NonNullable<CheckOutcome['status']>[] = [];
  let fixed = 0;
  // JSON is written as the files are done, in their order (the other formats need every result first)
  const stream = json ? new JsonFilesWriter(io.stdout) : null;
  await checkAll(
    files,
    options,
    args.jobs,
    io.entry,
    (n) => {
      if (showProgress && n % 10 === 0) io.stderr.write(`\r[${n}/${files.length}]`.padEnd(72));
    },
    (o) => {
      for (const m of o.messages) io.stderr.write(`${m}\n`);
      if (o.result) results.push(o.result);
      if (o.status) statuses.push(o.status);
      if (o.json !== undefined) stream?.entry(o.json);
      fixed += o.fixed;
    },
  );
  if (stream) {
    stream.end();
    return exitStatus(statuses, io);
  }
  if (showProgress) io.stderr.write(`\r${' '.repeat(72)}\r`);
  const out = io.stdout;
  if (args.minVersion && args.format === 'text') {
    for (const r of results) {
      const v = r.minimumVersion;
      out.write(`${r.path}: ${v === null ? (r.target ? 'uses no versioned Limited API' : `not checked (${r.noTargetReason ?? 'no target'})`) : `Py_LIMITED_API >= ${minorToHex(v)} (${minorToString(v)})`}\n`);
    }
    const mins = results.map((r) => r.minimumVersion).filter((v): v is number => v !== null);
    if (mins.length && !args.quiet) out.write(`\n${buildHints(Math.max(...mins))}`);
    return 0;
  }
  const cat = loadCatalog();
  switch (args.format) {
    case 'sarif':
      out.write(JSON.stringify(formatSarif(results, cat, VERSION), null, 2) + '\n');
      break;
    case 'github':
      out.write(formatGithub(results));
      break;
    default:
      out.write(formatText(results, { quiet: args.quiet, fixed, fixMode: args.fix }));
  }
  return exitStatus(results.map((r) => ({ path: r.path, error: r.findings.some((f) => (f.severity as Severity) === 'error'), internalError: r.internalError })), io);
}

/**
 * JSON output written as it comes: the entries each file's check made (in a worker or here), in the order of
 * the files, in writes of about 64 kB: the text of jsonOfFiles.
 */
class JsonFilesWriter {
  private pending: string[] = [];
  private size = 0;
  private count = 0;

  constructor(private readonly out: NodeJS.WritableStream) {}

  entry(json: string): void {
    this.pending.push(this.count++ ? ',' : JSON_HEAD, json);
    this.size += json.length;
    if (this.size >= 65536) this.flush();
  }

  end(): void {
    this.pending.push(this.count ? '' : JSON_HEAD, `${JSON_TAIL}\n`);
    this.flush();
  }

  private flush(): void {
    this.out.write(this.pending.join(''));
    this.pending = [];
    this.size = 0;
  }
}

/** 2 when a check failed inside abi3lint, 1 when an error was found, else 0. */
function exitStatus(files: NonNullable<CheckOutcome['status']>[], io: { stderr: NodeJS.WritableStream }): number {
  const broken = files.filter((r) => r.internalError);
  for (const r of broken) io.stderr.write(`abi3lint: internal error while checking ${r.path}: ${r.internalError}\n`);
  if (broken.length) return 2;
  return files.some((r) => r.error) ? 1 : 0;
}
