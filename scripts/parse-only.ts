/**
 * The floor of the CLI's whole-process time: a process that only reads and parses the given C files (folders
 * recurse) with the same web-tree-sitter and grammar, and exits. `npm run bench` runs it against the CLI.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initParser } from '../server/src/core/parser';

function files(p: string, out: string[]): string[] {
  const st = fs.statSync(p);
  if (st.isDirectory()) for (const e of fs.readdirSync(p).sort()) files(path.join(p, e), out);
  else if (/\.[ch]$/i.test(p)) out.push(p);
  return out;
}

async function main(): Promise<void> {
  const { parser } = await initParser();
  let nodes = 0;
  for (const f of process.argv.slice(2).flatMap((p) => files(p, []))) {
    const tree = parser.parse(fs.readFileSync(f, 'utf8'));
    nodes += tree?.rootNode.childCount ?? 0;
    tree?.delete();
  }
  process.stdout.write(`${nodes}\n`);
}

void main();
