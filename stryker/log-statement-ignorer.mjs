// @ts-check
// A StrykerJS ignorer: mutants inside `logger.info|warn|error|debug(...)` statements are not made.
// Their words and fields are for people reading CloudWatch; what a log line must never hold (a
// secret) is tested through the logger itself (test/observability/logger.test.ts), and no
// behaviour depends on a log line. Mutating them would measure prose, not the program.
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

const LEVELS = new Set(['info', 'warn', 'error', 'debug']);

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'LogStatements', {
    /** @param {import('@stryker-mutator/api/ignore').NodePath} path */
    shouldIgnore(path) {
      if (!path.isExpressionStatement()) return undefined;
      const call = path.node.expression;
      if (call.type !== 'CallExpression' || call.callee.type !== 'MemberExpression') return undefined;
      const { object, property } = call.callee;
      if (object.type === 'Identifier' && object.name === 'logger' && property.type === 'Identifier' && LEVELS.has(property.name)) {
        return 'A log statement: its text is for people, and secrets in logs are tested through the logger.';
      }
      return undefined;
    },
  }),
];
