// A consumer of the published entry point: type-checked against dist/types by package-entry.test.ts.
import { CacheGet } from '@gomomento/sdk';
import { MomentoClientProvider, MomentoKeyProvider, type MomentoKey } from 'momento-secret-rotation/client';

const keys = new MomentoKeyProvider({ secretId: 'momento/api-key', refreshIntervalMs: 60_000 });
const momento = new MomentoClientProvider({ keys, closeGraceMs: 30_000 });

export async function handler(): Promise<string | undefined> {
  const key: MomentoKey = await keys.getKey();
  console.log(key.fingerprint);
  const result = await momento.run((client) => client.get('orders', 'order-42'));
  return result instanceof CacheGet.Hit ? result.valueString() : undefined;
}
