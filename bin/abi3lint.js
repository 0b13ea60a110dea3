#!/usr/bin/env node
'use strict';
// The abi3lint CLI.
require('./entry')('abi3lint', 'cli.js', 'server/src/cli/run.js', { shortRun: true });
