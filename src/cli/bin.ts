#!/usr/bin/env node
// The `momento-secret-rotation` command (package.json "bin" -> dist/cli.js).
// Node 22 is the floor (package.json "engines"). Below it the AWS SDK's own warning that its
// releases after the first week of January 2027 require Node 22 is left on: it is true. On
// Node 22 and later the command prints no runtime warning (test/cli/node-floor.test.ts).
import { runCli } from './main.js';

process.exitCode = await runCli(process.argv.slice(2));
