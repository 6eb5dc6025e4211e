import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the momento-secret-rotation/client entry point (after npm run build)', () => {
  it('loads by package name in a plain Node process', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', "const m = await import('momento-secret-rotation/client'); console.log(Object.keys(m).sort().join(','))"], {
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('KeyNotUsableError,KeyUnavailableError,MomentoClientProvider,MomentoKeyProvider,credentialProviderFor,isAuthenticationError');
  });

  it('is typed: a consumer type-checks against its declarations', () => {
    expect(() =>
      execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/client/consumer/tsconfig.json'], { encoding: 'utf8', stdio: 'pipe' }),
    ).not.toThrow();
  });
});
