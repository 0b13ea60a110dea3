/**
 * `abi3lint audit [--tag cp39-abi3] [--format text|json|sarif|github] <wheel | module | folder>...`: what each built
 * extension module imports from Python, against the Stable ABI and the tag it carries. Exit status as the source
 * check: 0 nothing wrong, 1 error-level findings, 2 usage or unreadable input.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { auditPaths, type ModuleAudit, type Tag } from '../core/audit';
import { auditWithSources, type AuditProblem } from '../core/audit/problems';
import type { SourceFile } from '../core/audit/sources';
import { readRegularFile } from '../core/host';
import { lint, MAX_FILE_BYTES } from '../core/lint';
import { collectCFiles } from '../core/walk';
import { minorToString } from '../core/version';

export const AUDIT_HELP = `Usage: abi3lint audit [options] <wheel | .so | .pyd | .dylib | folder>...

Reads the symbols each extension module imports (never loads it) and checks them against the Stable ABI:
symbols newer than the wheel's tag, symbols outside the Stable ABI, a link to one CPython version's library,
and under an abi3t tag what abi3t lacks. Prints the oldest Python each module really needs.

Options:
  --tag <cp3X-abi3|cp3X-abi3t>  the tag to judge bare modules by (wheels carry their own)
  --format <fmt>                text (default), json, sarif, github
  --sources <dir>               the sources the modules were built from: say where binary and source disagree, and why;
                                SARIF and GitHub results point at the source lines; a bare module without a version
                                in its name is judged by the target of the file defining its PyInit_ function
  -h, --help                    this help

Exit status: 0 nothing wrong, 1 error-level findings, 2 usage error or an unreadable file.`;

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
}

function parseTag(s: string): Tag | null {
  const m = /^cp3(\d+)-(abi3t?)$/.exec(s);
  return m ? { abi: m[2] as 'abi3' | 'abi3t', minor: Number(m[1]), source: `--tag ${s}` } : null;
}

const rel = (io: Io, f: string): string => {
  const [file, member] = f.split('!');
  return (path.relative(io.cwd, file) || file) + (member ? `!${member}` : '');
};

function text(mods: ModuleAudit[], io: Io): string {
  let out = '';
  for (const m of mods) {
    const tag = m.tag.abi ? `${m.tag.abi}${m.tag.minor !== null ? ` ${minorToString(m.tag.minor)}` : ''} (${m.tag.source})` : 'no abi3 tag';
    out += `${rel(io, m.file)}: ${tag}; needs Python ${m.minimum !== null ? minorToString(m.minimum) : '(no Python symbol)'}${m.format ? ` [${m.format}, ${m.symbols.length} Python symbols]` : ''}\n`;
    for (const f of m.findings) out += `  ${f.severity} ${f.kind}${f.symbol ? ` ${f.symbol}` : ''}: ${f.message}\n`;
    for (const x of m.explanations ?? []) out += `  why ${x.symbol}${x.uses.length ? ` (${x.uses.join(', ')})` : ''}: ${x.message}\n`;
  }
  const errors = mods.reduce((n, m) => n + m.findings.filter((f) => f.severity === 'error').length, 0);
  return out + `${mods.length} module(s), ${errors} error(s).\n`;
}

/** A result's location: the source line a problem was placed on, else the module (and the wheel member). */
function locations(io: Io, file: string, p?: AuditProblem): object[] {
  if (p && p.file !== file.split('!')[0]) {
    return [{ physicalLocation: { artifactLocation: { uri: rel(io, p.file) }, region: { startLine: p.line + 1, startColumn: p.character + 1, endColumn: p.character + 1 + p.length } } }];
  }
  return [{ physicalLocation: { artifactLocation: { uri: rel(io, file.split('!')[0]) } }, logicalLocations: file.includes('!') ? [{ fullyQualifiedName: file.split('!')[1] }] : undefined }];
}

function sarif(mods: ModuleAudit[], io: Io, version: string, placed: AuditProblem[] | null): object {
  const kinds = [...new Set(mods.flatMap((m) => m.findings.map((f) => f.kind)))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'abi3lint audit', version, informationUri: 'https://github.com/abi3lint/abi3lint/blob/main/docs/audit.md', rules: kinds.map((k) => ({ id: k, shortDescription: { text: k.replace(/-/g, ' ') } })) } },
        results: placed
          ? placed.map((p) => ({ ruleId: p.code, level: p.severity, message: { text: p.message }, locations: locations(io, p.module, p) }))
          : mods.flatMap((m) => m.findings.map((f) => ({ ruleId: f.kind, level: f.severity, message: { text: f.message }, locations: locations(io, m.file) }))),
      },
    ],
  };
}

function github(mods: ModuleAudit[], io: Io, placed: AuditProblem[] | null): string {
  const esc = (t: string): string => t.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  if (placed) return placed.map((p) => `::${p.severity} file=${rel(io, p.file)}${p.file !== p.module.split('!')[0] ? `,line=${p.line + 1},col=${p.character + 1}` : ''},title=abi3lint audit ${p.code}::${esc(p.message)}\n`).join('');
  return mods.flatMap((m) => m.findings.map((f) => `::${f.severity} file=${rel(io, m.file.split('!')[0])},title=abi3lint audit ${f.kind}::${esc(`${rel(io, m.file)}: ${f.message}`)}\n`)).join('');
}

/** The C files under the --sources folders, paths relative to the working folder. */
function readSources(dirs: string[], io: Io): SourceFile[] {
  const { files } = collectCFiles(dirs, { base: io.cwd, exclude: [] });
  return files.flatMap((f) => {
    const r = readRegularFile(f, MAX_FILE_BYTES);
    return 'text' in r ? [{ path: path.relative(io.cwd, f) || f, text: r.text }] : [];
  });
}

export async function auditMain(argv: string[], io: Io, version: string): Promise<number> {
  let v;
  let positionals: string[];
  try {
    ({ values: v, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { tag: { type: 'string' }, format: { type: 'string' }, sources: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    io.stderr.write(`abi3lint audit: ${e instanceof Error ? e.message.replace(/\. To specify.*$/, '') : String(e)}\n(see abi3lint audit --help)\n`);
    return 2;
  }
  if (v.help) return (io.stdout.write(AUDIT_HELP + '\n'), 0);
  const format = v.format ?? 'text';
  if (!['text', 'json', 'sarif', 'github'].includes(format)) return (io.stderr.write(`abi3lint audit: --format: '${format}' is not one of text, json, sarif, github\n`), 2);
  const tag = v.tag === undefined ? undefined : parseTag(v.tag);
  if (tag === null) return (io.stderr.write(`abi3lint audit: --tag: '${v.tag}' is not like cp39-abi3 or cp315-abi3t\n`), 2);
  if (!positionals.length) return (io.stderr.write('abi3lint audit: give a wheel, a module or a folder (see abi3lint audit --help)\n'), 2);
  const paths = positionals.map((p) => path.resolve(io.cwd, p));
  let modules: ModuleAudit[];
  let problems: string[];
  let placed: AuditProblem[] | null = null;
  if (v.sources?.length) {
    const sources = readSources(v.sources, io);
    const targetOf = async (file: string) => (await lint({ path: path.resolve(io.cwd, file), text: sources.find((s) => s.path === file)?.text ?? '' }, { root: io.cwd })).target;
    ({ modules, problems: placed, messages: problems } = await auditWithSources(paths, sources, targetOf, { tag }));
  } else {
    ({ modules, problems } = auditPaths(paths, { tag }));
  }
  for (const p of problems) io.stderr.write(`abi3lint audit: ${p}\n`);
  if (format === 'json') io.stdout.write(JSON.stringify({ version: 1, modules: modules.map((m) => ({ ...m, file: rel(io, m.file), minimum: m.minimum !== null ? minorToString(m.minimum) : null })), problems: placed?.map((p) => ({ ...p, file: rel(io, p.file), module: rel(io, p.module), line: p.line + 1, column: p.character + 1 })) }, null, 2) + '\n');
  else if (format === 'sarif') io.stdout.write(JSON.stringify(sarif(modules, io, version, placed), null, 2) + '\n');
  else if (format === 'github') io.stdout.write(github(modules, io, placed));
  else io.stdout.write(text(modules, io));
  if (problems.length && !modules.length) return 2;
  if (modules.some((m) => m.findings.some((f) => f.kind === 'unreadable'))) return 2;
  return modules.some((m) => m.findings.some((f) => f.severity === 'error')) ? 1 : 0;
}
