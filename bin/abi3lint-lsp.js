#!/usr/bin/env node
'use strict';
// The abi3lint language server for any LSP editor: `abi3lint-lsp --stdio`.
const path = require('node:path');
const fs = require('node:fs');
const root = path.join(__dirname, '..');
const bundle = path.join(root, 'dist', 'server.js');
const compiled = path.join(root, 'out', 'server', 'src', 'lsp', 'main.js');
const entry = fs.existsSync(bundle) ? bundle : compiled;
if (!fs.existsSync(entry)) {
  process.stderr.write('abi3lint-lsp: not built yet; run `npm run build` in ' + root + '\n');
  process.exit(2);
}
require(entry);
