/**
 * The shape the code promises (docs/contributing.md): no function in server/src longer than 120 lines, lint.ts
 * a short driver, the core free of editor imports. Functions are found by parsing the TypeScript sources with
 * tree-sitter's TypeScript grammar (a development dependency; nothing of it ships).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Language, Parser, type Node } from 'web-tree-sitter';
import { initParser } from '../server/src/core/parser';
import { ROOT } from './helpers/fixtures';

const MAX_FUNCTION_LINES = 120;
const FUNCTION_NODES = new Set(['function_declaration', 'generator_function_declaration', 'function_expression', 'arrow_function', 'method_definition']);

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

async function typescriptParser(): Promise<Parser> {
  await initParser(); // (initialises the WebAssembly runtime)
  const lang = await Language.load(fs.readFileSync(require.resolve('tree-sitter-typescript/tree-sitter-typescript.wasm')));
  const parser = new Parser();
  parser.setLanguage(lang);
  return parser;
}

/** Each function-like node: where it starts and how many lines it spans. */
function functionsOf(root: Node): { line: number; lines: number; name: string }[] {
  const out: { line: number; lines: number; name: string }[] = [];
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (FUNCTION_NODES.has(n.type)) {
      const name = n.childForFieldName('name')?.text ?? n.parent?.childForFieldName('name')?.text ?? '(anonymous)';
      out.push({ line: n.startPosition.row + 1, lines: n.endPosition.row - n.startPosition.row + 1, name });
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return out;
}

test(`no function in server/src is longer than ${MAX_FUNCTION_LINES} lines`, async () => {
  const parser = await typescriptParser();
  const files = tsFiles(path.join(ROOT, 'server', 'src'));
  assert.ok(files.length > 30);
  const long: string[] = [];
  let count = 0;
  for (const f of files) {
    const tree = parser.parse(fs.readFileSync(f, 'utf8'))!;
    assert.ok(!tree.rootNode.hasError, `${path.relative(ROOT, f)} parses as TypeScript`);
    for (const fn of functionsOf(tree.rootNode)) {
      count++;
      if (fn.lines > MAX_FUNCTION_LINES) long.push(`${path.relative(ROOT, f)}:${fn.line} ${fn.name}: ${fn.lines} lines`);
    }
    tree.delete();
  }
  assert.ok(count > 300, `only ${count} functions found: the grammar or the node types changed`);
  assert.deepEqual(long, []);
});

test('lint.ts is a driver under 400 lines; one module per rule; the core imports nothing from vscode', () => {
  const core = path.join(ROOT, 'server', 'src', 'core');
  assert.ok(fs.readFileSync(path.join(core, 'lint.ts'), 'utf8').split('\n').length < 400);
  for (const f of tsFiles(core)) {
    assert.doesNotMatch(fs.readFileSync(f, 'utf8'), /from ['"]vscode/, `${path.relative(ROOT, f)} imports an editor module`);
  }
});
