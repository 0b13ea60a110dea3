/**
 * `abi3lint audit [--tag cp39-abi3] [--format text|json|sarif|github] <wheel | module | folder>...`: what each built
 * extension module imports from Python, against the Stable ABI and the tag it carries. Exit status as the source
 * check: 0 nothing wrong, 1 error-level findings, 2 usage or unreadable input.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { auditPaths, type ModuleAudit, type Tag } from '../core/audit';
import { explain } from '../core/audit/sources';
import { loadCatalog } from '../core/catalog';
import { readRegularFile } from '../core/host';
import { MAX_FILE_BYTES } from '../core/lint';
import { collectCFiles } from '../core/walk';
import { minorToString } from '../core/version';

export const AUDIT_HELP = `Usage: abi3lint audit [options] <wheel | .so | .pyd | .dylib | folder>...

Reads the symbols each extension module imports (never loads it) and checks them against the Stable ABI:
symbols newer than the wheel's tag, symbols outside the Stable ABI, a link to one CPython version's library,
and under an abi3t tag what abi3t lacks. Prints the oldest Python each module really needs.

Options:
  --tag <cp3X-abi3|cp3X-abi3t>  the tag to judge bare modules by (wheels carry their own)
  --format <fmt>                text (default), json, sarif, github
  --sources <dir>               the sources the modules were built from: say where binary and source disagree, and why
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

function sarif(mods: ModuleAudit[], io: Io, version: string): object {
  const kinds = [...new Set(mods.flatMap((m) => m.findings.map((f) => f.kind)))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'abi3lint audit', version, informationUri: 'https://github.com/abi3lint/abi3lint/blob/main/docs/audit.md', rules: kinds.map((k) => ({ id: k, shortDescription: { text: k.replace(/-/g, ' ') } })) } },
        results: mods.flatMap((m) =>
          m.findings.map((f) => ({
            ruleId: f.kind,
            level: f.severity,
            message: { text: f.message },
            locations: [{ physicalLocation: { artifactLocation: { uri: rel(io, m.file.split('!')[0]) } }, logicalLocations: m.file.includes('!') ? [{ fullyQualifiedName: m.file.split('!')[1] }] : undefined }],
          })),
        ),
      },
    ],
  };
}

export function auditMain(argv: string[], io: Io, version: string): number {
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
  const { modules, problems } = auditPaths(positionals.map((p) => path.resolve(io.cwd, p)), { tag });
  for (const p of problems) io.stderr.write(`abi3lint audit: ${p}\n`);
  if (v.sources?.length) {
    const { files } = collectCFiles(v.sources, { base: io.cwd, exclude: [] });
    const sources = files.flatMap((f) => {
      const r = readRegularFile(f, MAX_FILE_BYTES);
      return 'text' in r ? [{ path: path.relative(io.cwd, f) || f, text: r.text }] : [];
    });
    const cat = loadCatalog();
    for (const m of modules) m.explanations = explain(m, sources, cat);
  }
  if (format === 'json') io.stdout.write(JSON.stringify({ version: 1, modules: modules.map((m) => ({ ...m, file: rel(io, m.file), minimum: m.minimum !== null ? minorToString(m.minimum) : null })) }, null, 2) + '\n');
  else if (format === 'sarif') io.stdout.write(JSON.stringify(sarif(modules, io, version), null, 2) + '\n');
  else if (format === 'github') for (const m of modules) for (const f of m.findings) io.stdout.write(`::${f.severity} file=${rel(io, m.file.split('!')[0])},title=abi3lint audit ${f.kind}::${rel(io, m.file)}: ${f.message}\n`);
  else io.stdout.write(text(modules, io));
  if (problems.length && !modules.length) return 2;
  if (modules.some((m) => m.findings.some((f) => f.kind === 'unreadable'))) return 2;
  return modules.some((m) => m.findings.some((f) => f.severity === 'error')) ? 1 : 0;
}
