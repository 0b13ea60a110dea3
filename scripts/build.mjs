// Bundles the extension client, the language server and the CLI with esbuild into dist/, next to the two
// WebAssembly files they load. Type checking is `tsc` (npm run typecheck); this only bundles.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  sourcemap: 'linked',
  minify: process.argv.includes('--minify') || process.env.NODE_ENV === 'production',
  logLevel: 'warning',
  absWorkingDir: root,
  // the CommonJS build of web-tree-sitter (its ESM build needs import.meta.url)
  alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/web-tree-sitter.cjs' },
};

await Promise.all([
  // (the banner is the bundle's first statement: the client reports how long its own code took to load)
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], banner: { js: '"use strict";globalThis.__abi3lintLoadStart = performance.now();' } }),
  esbuild.build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' }),
  esbuild.build({ ...common, entryPoints: ['server/src/cli/run.ts'], outfile: 'dist/cli.js' }),
]);
copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), join(dist, 'web-tree-sitter.wasm'));
copyFileSync(require.resolve('tree-sitter-c/tree-sitter-c.wasm'), join(dist, 'tree-sitter-c.wasm'));
