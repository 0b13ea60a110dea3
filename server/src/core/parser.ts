/**
 * Tree-sitter through its WebAssembly binding. One Parser per process; trees must be deleted by their owner.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Edit, Language, Parser, Query, Tree, Node } from 'web-tree-sitter';

export { Edit, Query };
export type { Tree, Node, Language, Parser };

let ready: Promise<{ parser: Parser; language: Language }> | null = null;

/** Finds a .wasm file next to the bundle (dist/) or in node_modules (compiled out/ tree). */
function locate(file: string, pkgRequest: string): string {
  const candidates = [path.join(__dirname, file), path.join(__dirname, '..', file), path.join(__dirname, 'wasm', file)];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  try {
    return require.resolve(pkgRequest);
  } catch {
    throw new Error(`abi3lint: cannot find ${file} (looked next to ${__dirname} and in node_modules)`);
  }
}

export function wasmPaths(): { runtime: string; c: string } {
  return {
    runtime: locate('web-tree-sitter.wasm', 'web-tree-sitter/web-tree-sitter.wasm'),
    c: locate('tree-sitter-c.wasm', 'tree-sitter-c/tree-sitter-c.wasm'),
  };
}

/** The parser once initParser() has made it (for code that runs after an analysis parsed its file). */
let made: Parser | null = null;

/** Whether `value` reads as C where a designated initializer's value goes (false when there is no parser yet).
 *  Its directive lines are left out (`#ifdef X | FLAG #endif` inside a value is C; the grammar has no place for it). */
export function parsesAsFieldValue(value: string): boolean {
  if (!made) return false;
  const code = value.replace(/^[ \t]*#.*$/gm, '');
  const t = made.parse(`static T x = { .f = ${code}\n};\n`);
  const ok = !!t && !t.rootNode.hasError;
  t?.delete();
  return ok;
}

export function initParser(): Promise<{ parser: Parser; language: Language }> {
  if (!ready) {
    ready = (async () => {
      const paths = wasmPaths();
      await Parser.init({ locateFile: () => paths.runtime });
      const language = await Language.load(fs.readFileSync(paths.c));
      const parser = new Parser();
      parser.setLanguage(language);
      made = parser;
      return { parser, language };
    })();
    ready.catch(() => {
      ready = null;
    });
  }
  return ready;
}

/**
 * A tree parsed when first asked for (`rootNode`): lint() hands one to the analysis, which reads most files
 * lexically and asks the tree only where the text leaves a question (a declaration, a call's arguments). A
 * file that never asks is never parsed. `delete()` frees the tree if it was made.
 */
export class LazyTree {
  private made: Tree | null = null;
  /** Milliseconds spent parsing (0 while unparsed). */
  parseMs = 0;

  constructor(
    private readonly parser: Parser,
    private readonly text: string,
  ) {}

  get parsed(): boolean {
    return this.made !== null;
  }

  get rootNode(): Node {
    return this.tree().rootNode;
  }

  /** The real tree, parsed now if it was not yet. */
  tree(): Tree {
    if (!this.made) {
      const t0 = performance.now();
      this.made = parseWith(this.parser, this.text);
      this.parseMs = performance.now() - t0;
    }
    return this.made;
  }

  delete(): void {
    this.made?.delete();
    this.made = null;
  }
}

/** Parses text with the parser initParser() made (which must have been awaited); the caller deletes the tree. */
export function parseNow(text: string): Tree {
  if (!made) throw new Error('abi3lint: the parser is not initialised yet');
  return parseWith(made, text);
}

/** Parses text; the caller owns (and must delete) the returned tree. */
export async function parseC(text: string, oldTree?: Tree | null): Promise<Tree> {
  const { parser } = await initParser();
  return parseWith(parser, text, oldTree);
}

export function parseWith(parser: Parser, text: string, oldTree?: Tree | null): Tree {
  const tree = parser.parse(text, oldTree ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}
