/** Drift between the rule catalogue, the code, the rule docs, package.json settings and the zod schema fails here. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadCatalog } from '../server/src/core/catalog';
import { RULES } from '../server/src/core/rules';
import { MAX_ENTRY_LENGTH, MAX_LIST_ENTRIES, SettingsSchema } from '../server/src/core/settings';
import { parseTargetOption } from '../server/src/core/version';
import { ROOT } from './helpers/fixtures';

const cat = loadCatalog();
const HEADINGS = ['What it does', 'Why is this bad?', 'Example', 'Use instead', 'Fix safety', 'References'];

test('rule codes are ABI001.. in order, names unique and kebab-case', () => {
  const codes = [...cat.rules.keys()];
  codes.forEach((c, i) => assert.equal(c, `ABI${String(i + 1).padStart(3, '0')}`));
  assert.equal(new Set([...cat.rules.values()].map((r) => r.name)).size, codes.length);
});

test('the registry holds one module per rule of the catalogue, in code order, named ABI0NN-name.ts', () => {
  assert.deepEqual(
    RULES.map((r) => `${r.meta.code} ${r.meta.name}`),
    [...cat.rules.values()].map((r) => `${r.code} ${r.name}`),
  );
  for (const r of RULES) assert.ok(r.config || r.create || r.file, `${r.meta.code} has no check`);
  const modules = fs.readdirSync(path.join(ROOT, 'server', 'src', 'core', 'rules')).filter((f) => /^ABI\d{3}/.test(f));
  assert.deepEqual(modules.sort(), RULES.map((r) => `${r.meta.code}-${r.meta.name}.ts`));
  // and each has its valid/invalid cases (test/rules/ABI0NN.test.ts)
  const cases = fs.readdirSync(path.join(ROOT, 'test', 'rules')).filter((f) => f.endsWith('.test.ts'));
  assert.deepEqual(cases.sort(), RULES.map((r) => `${r.meta.code}.test.ts`));
});

test("the README's rule table is the catalogue (code, doc link, name, severity)", () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| \[(ABI0\d\d)\]\(docs\/rules\/(ABI0\d\d)\.md\) \| ([a-z0-9-]+) \| (\w+) \|/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]}`);
  assert.deepEqual(rows, [...cat.rules.values()].map((r) => `${r.code} ${r.code} ${r.name} ${r.severity}`));
});

test('every rule has a doc with the fixed headings, in order, and the doc names the rule', () => {
  const dir = path.join(ROOT, 'docs', 'rules');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.md')).sort();
  assert.deepEqual(files, [...cat.rules.keys()].map((c) => `${c}.md`));
  for (const [code, rule] of cat.rules) {
    const text = fs.readFileSync(path.join(dir, `${code}.md`), 'utf8');
    assert.ok(text.startsWith(`# ${code}: ${rule.name}\n`), `${code}.md title`);
    const found = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    assert.deepEqual(found, HEADINGS, `${code}.md headings`);
    assert.match(text, new RegExp(`Default severity: \\*\\*${rule.severity}\\*\\*`), `${code}.md severity`);
    assert.match(text, /```c\n[\s\S]+?```[\s\S]+```c\n[\s\S]+?```/, `${code}.md has C examples`);
  }
});

test('package.json settings mirror the zod settings schema', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const props = pkg.contributes.configuration.properties as Record<string, { default: unknown; markdownDescription?: string; enum?: string[]; scope?: string }>;
  const keys = Object.keys(SettingsSchema.shape).map((k) => `abi3lint.${k}`).sort();
  assert.deepEqual(Object.keys(props).sort(), keys);
  const defaults = SettingsSchema.parse({});
  for (const [k, v] of Object.entries(defaults)) {
    const p = props[`abi3lint.${k}`];
    assert.deepEqual(p.default, v, `default of abi3lint.${k}`);
    assert.ok(p.markdownDescription && p.markdownDescription.length > 20, `abi3lint.${k} has a description`);
    assert.ok(p.scope, `abi3lint.${k} has a scope`);
  }
  assert.deepEqual(props['abi3lint.logLevel'].enum, SettingsSchema.shape.logLevel.unwrap().options);
  const sev = (props['abi3lint.severity'] as unknown as { additionalProperties: { enum: string[] } }).additionalProperties.enum;
  assert.deepEqual(sev, ['error', 'warning', 'info', 'hint', 'off']);
});

test('package.json validates abi3lint.target as the core does (so VS Code marks a bad value in settings.json)', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const re = new RegExp(pkg.contributes.configuration.properties['abi3lint.target'].pattern);
  for (const v of ['', '3', '3.9', '3.10', '3.15', 'cp39', 'cp310', '0x03090000', '0x030A0000', '0X030F0000']) {
    assert.ok(re.test(v), `${v} is accepted by package.json`);
    assert.ok(v === '' || parseTargetOption(v).ok, `${v} is accepted by the core`);
  }
  for (const v of ['banana', '3.9.1', 'python3.9', '0x0309', ' 3.9']) assert.ok(!re.test(v), `${v} is refused by package.json`);
});

test('package.json declares untrusted-workspace support and both command-line programs', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  // untrusted repositories cannot set what is read (includeDirs) or skipped (exclude) through .vscode/settings.json
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, ['abi3lint.exclude', 'abi3lint.includeDirs']);
  for (const k of ['exclude', 'includeDirs']) {
    assert.equal(pkg.contributes.configuration.properties[`abi3lint.${k}`].maxItems, MAX_LIST_ENTRIES);
    assert.equal(pkg.contributes.configuration.properties[`abi3lint.${k}`].items.maxLength, MAX_ENTRY_LENGTH);
  }
  assert.deepEqual(Object.keys(pkg.bin).sort(), ['abi3lint', 'abi3lint-lsp']);
  assert.match(pkg.dependencies['web-tree-sitter'], /^\d+\.\d+\.\d+$/, 'web-tree-sitter is pinned to an exact version');
});
