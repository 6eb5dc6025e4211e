/**
 * Below the Node 22 floor (the machine's own Node, in `npm test`), the built CLI's stderr starts
 * with the AWS SDK's NodeVersionSupportWarning (the CLI no longer silences it). This removes that
 * warning there, and only there: on Node 22 and later stderr is returned as it is, so any warning
 * fails the test that compares it (and test/cli/node-floor.test.ts checks that none appears).
 */
export function withoutNodeFloorWarning(stderr: string): string {
  if (Number(process.versions.node.split('.')[0]) >= 22) return stderr;
  return stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?to show where the warning was created\)\n/, '');
}
