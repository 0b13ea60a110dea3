'use strict';
// Shared by the two command-line programs: run the esbuild bundle when built (dist/), else the tsc output (out/).
const path = require('node:path');
const fs = require('node:fs');

module.exports = function run(program, bundle, compiled) {
  const root = path.join(__dirname, '..');
  const entry = [path.join(root, 'dist', bundle), path.join(root, 'out', ...compiled.split('/'))].find((f) => fs.existsSync(f));
  if (!entry) {
    process.stderr.write(`${program}: not built yet; run \`npm run build\` in ${root}\n`);
    process.exit(2);
  }
  require(entry);
};
