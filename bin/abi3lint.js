#!/usr/bin/env node
'use strict';
// The abi3lint CLI: the esbuild bundle when built (dist/), else the compiled tree (out/).
const path = require('node:path');
const fs = require('node:fs');
const root = path.join(__dirname, '..');
const bundle = path.join(root, 'dist', 'cli.js');
const compiled = path.join(root, 'out', 'server', 'src', 'cli', 'run.js');
const entry = fs.existsSync(bundle) ? bundle : compiled;
if (!fs.existsSync(entry)) {
  process.stderr.write('abi3lint: not built yet; run `npm run build` in ' + root + '\n');
  process.exit(2);
}
require(entry);
