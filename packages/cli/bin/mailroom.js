#!/usr/bin/env node

// Runs the TypeScript sources through tsx, so `npx mailroom` works from a fresh clone after
// `npm ci` with no build step. tsx is given this package's tsconfig wherever the command is run
// from: its `paths` send @mailroom/client to the client's source in this repository, where the
// client's `exports` (dist/) is not built; installed from npm, that path does not exist and the
// client's published build is used.
const { join } = require('node:path');

process.env.TSX_TSCONFIG_PATH = join(__dirname, '..', 'tsconfig.json');
require('tsx/cjs');
require('../src/main.ts').runAsProcess();
