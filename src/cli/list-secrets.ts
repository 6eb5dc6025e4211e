import { ListSecretsCommand, type SecretListEntry, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * Every secret of the client's Region: ListSecrets, 100 a page, every page. Secrets scheduled
 * for deletion are left out (no application can read them). Errors (AccessDenied) are the
 * caller's to explain.
 */
export async function listEverySecret(client: SecretsManagerClient): Promise<(SecretListEntry & { ARN: string })[]> {
  const secrets: (SecretListEntry & { ARN: string })[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListSecretsCommand({ MaxResults: 100, ...(nextToken ? { NextToken: nextToken } : {}) }));
    for (const entry of page.SecretList ?? []) {
      if (entry.ARN === undefined || entry.DeletedDate !== undefined) continue;
      secrets.push({ ...entry, ARN: entry.ARN });
    }
    nextToken = page.NextToken || undefined;
  } while (nextToken !== undefined);
  return secrets;
}

/** `fn` over `items`, at most `limit` at a time, results in the items' order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
