// The template published to the Serverless Application Repository: template.yaml without the
// lines from each `# sar-omit-begin: why` to the next `# sar-omit-end`. The repository accepts
// only the resource types on its list, and AWS::SecretsManager::RotationSchedule is not on it;
// what only the schedule uses (its parameters, rules and condition) goes with it, or cfn-lint and
// the console form would show parameters that do nothing. test/template/serverless-repo.test.ts
// checks the result: every type on the list, cfn-lint clean, nothing else changed.
//
// Usage: node scripts/sar-template.mjs [OUTPUT]   (default: template.sar.yaml)
// Written beside template.yaml: `sam package` resolves CodeUri, LicenseUrl and ReadmeUrl from the
// template's own folder.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SAR_TEMPLATE_FILE = 'template.sar.yaml';

const BEGIN = /^\s*# sar-omit-begin:\s*\S/;
const END = /^\s*# sar-omit-end\s*$/;

/** template.yaml's text without its `sar-omit` blocks; throws on a block left open, closed twice, or nested. */
export function sarTemplate(text) {
  const kept = [];
  let openedAt;
  text.split('\n').forEach((line, index) => {
    if (BEGIN.test(line)) {
      if (openedAt !== undefined) throw new Error(`template.yaml line ${index + 1}: sar-omit-begin inside the block opened on line ${openedAt + 1}`);
      openedAt = index;
    } else if (END.test(line)) {
      if (openedAt === undefined) throw new Error(`template.yaml line ${index + 1}: sar-omit-end without a sar-omit-begin`);
      openedAt = undefined;
    } else if (openedAt === undefined) {
      kept.push(line);
    }
  });
  if (openedAt !== undefined) throw new Error(`template.yaml line ${openedAt + 1}: sar-omit-begin without a sar-omit-end`);
  return kept.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const output = process.argv[2] ?? SAR_TEMPLATE_FILE;
  writeFileSync(output, sarTemplate(readFileSync('template.yaml', 'utf8')));
  console.log(`Wrote ${output}: template.yaml for the Serverless Application Repository (no rotation schedule)`);
}
