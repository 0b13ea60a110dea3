#!/usr/bin/env node
'use strict';
// The abi3lint language server for any LSP editor: `abi3lint-lsp --stdio`.
require('./entry')('abi3lint-lsp', 'server.js', 'server/src/lsp/main.js');
