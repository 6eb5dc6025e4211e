#!/usr/bin/env node
// The `momento-secret-rotation` command (package.json "bin" -> dist/cli.js).
import { runCli } from './main.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.exitCode = await runCli(process.argv.slice(2));
