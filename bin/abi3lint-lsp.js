#!/usr/bin/env -S node --max-semi-space-size=1 --optimize-for-size
'use strict';
// The abi3lint language server for any LSP editor: `abi3lint-lsp --stdio`.
require('./entry')('abi3lint-lsp', 'server.js', 'server/src/lsp/main.js');
