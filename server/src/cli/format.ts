/** Output formats of the CLI: text, JSON (the documented shape), SARIF 2.1.0, GitHub workflow annotations. */
import * as fs from 'node:fs';
import type * as Sarif from 'sarif';
import { ruleDocPath, type Catalog } from '../core/catalog';
import type { Finding, LintResult, TextEdit } from '../core/types';
import { minorToHex, minorToString } from '../core/version';

const oneBased = (f: { range: TextEdit['range'] }) => ({
  line: f.range.start.line + 1,
  column: f.range.start.character + 1,
  endLine: f.range.end.line + 1,
  endColumn: f.range.end.character + 1,
});

function targetJson(r: LintResult) {
  if (!r.target) return null;
  const src = r.target.source;
  const source = src.kind === 'define' ? `${src.file}:${src.line}` : src.kind === 'build-config' ? `${src.file}${src.line ? ':' + src.line : ''}` : src.detail;
  return { version: minorToString(r.target.minor), hex: minorToHex(r.target.minor), abi3t: r.target.abi3t, source };
}

/** SARIF `help` for a rule: the bundled page's Markdown (a file path on the machine that ran the check would be
 *  no link for whoever reads the log). */
function ruleHelp(code: string): { help?: { text: string; markdown: string } } {
  const file = ruleDocPath(code);
  if (!file) return {};
  const markdown = fs.readFileSync(file, 'utf8');
  return { help: { text: markdown.replace(/[`*#]/g, ''), markdown } };
}

export function formatJson(results: LintResult[]): string {
  return jsonOfFiles(results.map(formatJsonFile));
}

/** What comes before and after the files' entries of the JSON document (written around them as they come: main.ts). */
export const JSON_HEAD = '{"version":1,"files":[';
export const JSON_TAIL = ']}';

/** The JSON document around files' entries made by formatJsonFile (the same text as formatJson). */
export const jsonOfFiles = (entries: string[]): string => `${JSON_HEAD}${entries.join(',')}${JSON_TAIL}`;

/** One file's entry of the JSON output (made where the file was checked: a --jobs worker formats its own). */
export function formatJsonFile(r: LintResult): string {
  return JSON.stringify(jsonFile(r));
}

function jsonFile(r: LintResult) {
  return {
    path: r.path,
    target: targetJson(r),
    minimumVersion: r.minimumVersion === null ? null : minorToString(r.minimumVersion),
    findings: r.findings.map((f) => ({
      code: f.code,
      name: f.name,
      severity: f.severity,
      ...oneBased(f),
      identifier: f.identifier ?? null,
      kind: f.kind ?? null,
      message: f.message,
      fixes: f.fixes.map((x) => ({ title: x.title, safety: x.safety, edits: x.edits.map((e) => ({ ...oneBased(e), newText: e.newText })) })),
    })),
  };
}

export function formatText(results: LintResult[], opts: { quiet: boolean; fixed: number; fixMode: boolean }): string {
  let out = '';
  let errors = 0;
  let warnings = 0;
  let others = 0;
  let fixable = 0;
  for (const r of results) {
    for (const f of r.findings) {
      const p = oneBased(f);
      out += `${r.path}:${p.line}:${p.column}: ${f.severity} ${f.code} [${f.name}] ${f.message}\n`;
      if (f.severity === 'error') errors++;
      else if (f.severity === 'warning') warnings++;
      else others++;
      if (f.fixes.some((x) => x.safety === 'safe' && x.edits.length)) fixable++;
    }
    for (const n of r.notices) out += `${r.path}: note: ${n}\n`;
  }
  if (!opts.quiet) {
    const total = errors + warnings + others;
    const unchecked = results.filter((r) => !r.target).length;
    out += `${total === 0 ? 'No findings' : `${total} finding${total === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${others ? `, ${others} hint${others === 1 ? '' : 's'}` : ''})`} in ${results.length} file${results.length === 1 ? '' : 's'}`;
    if (unchecked) out += `; ${unchecked} without a Limited API target (not checked: use --target or define Py_LIMITED_API)`;
    out += '.\n';
    if (opts.fixMode) out += `Applied ${opts.fixed} fix${opts.fixed === 1 ? '' : 'es'}.\n`;
    else if (fixable) out += `${fixable} fixable with --fix.\n`;
  }
  return out;
}

const ghEscape = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const ghProp = (s: string): string => ghEscape(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function formatGithub(results: LintResult[]): string {
  let out = '';
  for (const r of results) {
    for (const f of r.findings) {
      const p = oneBased(f);
      const level = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
      out += `::${level} file=${ghProp(r.path)},line=${p.line},col=${p.column},endLine=${p.endLine},endColumn=${p.endColumn},title=${ghProp(`${f.code} ${f.name}`)}::${ghEscape(f.message)}\n`;
    }
  }
  return out;
}

const sarifLevel = (f: Finding): Sarif.Result.level => (f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'note');

export function formatSarif(results: LintResult[], cat: Catalog, version: string): Sarif.Log {
  const rules = [...cat.rules.values()];
  const index = new Map(rules.map((r, i) => [r.code, i]));
  const uri = (p: string): string => p.split('\\').join('/').split('/').map(encodeURIComponent).join('/');
  const region = (range: TextEdit['range']): Sarif.Region => ({
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'abi3lint',
            version,
            informationUri: 'https://github.com/abi3lint/abi3lint',
            rules: rules.map((r) => ({
              id: r.code,
              name: r.name,
              shortDescription: { text: r.summary },
              // the rule's page itself (code scanning shows it)
              ...ruleHelp(r.code),
              defaultConfiguration: { level: r.severity === 'error' ? 'error' : r.severity === 'warning' ? 'warning' : 'note' },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: results.flatMap((r) =>
          r.findings.map((f): Sarif.Result => {
            const loc = { uri: uri(r.path) };
            const res: Sarif.Result = {
              ruleId: f.code,
              ruleIndex: index.get(f.code),
              level: sarifLevel(f),
              message: { text: f.message },
              locations: [{ physicalLocation: { artifactLocation: loc, region: region(f.range) } }],
            };
            const fixes = f.fixes.filter((x) => x.edits.length);
            if (fixes.length) {
              res.fixes = fixes.map((x) => ({
                description: { text: `${x.title} [${x.safety}]` },
                artifactChanges: [
                  {
                    artifactLocation: loc,
                    replacements: x.edits.map((e) => ({ deletedRegion: region(e.range), insertedContent: { text: e.newText } })),
                  },
                ],
              }));
            }
            return res;
          }),
        ),
      },
    ],
  };
}
