import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFunctionEvent, STEPS } from '../../src/rotation/event.js';

describe('events/ (samples for sam local invoke)', () => {
  const files = readdirSync('events').filter((f) => f.endsWith('.json'));

  it('has one valid sample per step, and one for the expiry report', () => {
    const parsed = files.map((f) => parseFunctionEvent(JSON.parse(readFileSync(`events/${f}`, 'utf8'))));
    const steps = parsed.flatMap((p) => (p.kind === 'rotation' ? [p.event.Step] : []));
    expect([...steps].sort()).toEqual([...STEPS].sort());
    expect(parsed.filter((p) => p.kind === 'report-expiry')).toHaveLength(1);
  });
});

describe('samconfig.toml', () => {
  const text = readFileSync('samconfig.toml', 'utf8');

  it('deploys with IAM capability, a managed S3 bucket and a changeset to confirm', () => {
    expect(text).toMatch(/^capabilities = "CAPABILITY_IAM"$/m);
    expect(text).toMatch(/^resolve_s3 = true$/m);
    expect(text).toMatch(/^confirm_changeset = true$/m);
    expect(text).toMatch(/^stack_name = "momento-secret-rotation"$/m);
  });

  it('overrides only parameters the template has', () => {
    const template = readFileSync('template.yaml', 'utf8');
    const overrides = text.split('\n').filter((l) => l.startsWith('parameter_overrides') || l.startsWith('# '));
    const names = [...overrides.join(' ').matchAll(/(\w+)=\\"/g)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(template).toMatch(new RegExp(`^  ${name}:\\n    Type:`, 'm'));
  });
});
