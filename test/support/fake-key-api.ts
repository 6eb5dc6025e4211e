import { randomUUID } from 'node:crypto';
import { KeyApiError, type KeyApiFailure, type KeyInfo, type KeyManagementApi, type MintRequest, type MintedKey } from '../../src/momento/key-management.js';
import type { FakeMomento } from './fake-momento.js';
import { fakeV2Key } from './secrets.js';

interface FakeKey extends KeyInfo {
  readonly apiKey: string;
}

type Op = 'mint' | 'list' | 'revoke';

const MANAGING_ROLES = new Set(['owner', 'operator']);

/**
 * Momento's key-management API in memory, for unit tests: keys minted here become valid
 * at the FakeMomento (so testSecret's probe accepts them) and stop being valid when
 * revoked. Management keys and roles are arranged by the test; failures can be queued
 * per operation, and 'lost-reply' applies the operation, then fails.
 */
export class FakeKeyApi implements KeyManagementApi {
  readonly roles = new Set(['owner', 'operator', 'viewer', 'app-readwrite']);
  readonly managementKeys = new Map<string, 'allowed' | 'forbidden'>();
  /** Live keys by id. */
  readonly keys = new Map<string, FakeKey>();
  readonly revoked: string[] = [];
  readonly calls: { op: Op; keyId?: string; request?: MintRequest }[] = [];
  private readonly failures = new Map<Op, (KeyApiFailure | 'lost-reply')[]>();

  constructor(
    private readonly momento: FakeMomento,
    private readonly now: () => number,
  ) {}

  /** A management key, as the console would issue one for a role that may (or may not) manage keys. */
  issueManagementKey(access: 'allowed' | 'forbidden' = 'allowed'): string {
    const key = fakeV2Key();
    this.managementKeys.set(key, access);
    return key;
  }

  /** A v2 key as the console issues one: valid at Momento, known here by its id. */
  issueKey(roleId = 'app-readwrite', description = 'created in the console', expiresAt?: number): { apiKey: string; keyId: string } {
    const { apiKey, info } = this.addKey(roleId, description, expiresAt);
    return { apiKey, keyId: info.keyId };
  }

  /** A new key, valid here and at the FakeMomento. */
  private addKey(roleId: string, description: string, expiresAt: number | undefined): MintedKey {
    const apiKey = fakeV2Key();
    const info: KeyInfo = { keyId: `key-${randomUUID()}`, roleId, description, expiresAt, issuedAt: Math.floor(this.now() / 1000) };
    this.keys.set(info.keyId, { ...info, apiKey });
    this.momento.validKeys.add(apiKey);
    return { apiKey, info };
  }

  failNext(op: Op, ...failures: (KeyApiFailure | 'lost-reply')[]): void {
    this.failures.set(op, [...(this.failures.get(op) ?? []), ...failures]);
  }

  isValid(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  keyIdOf(apiKey: string): string | undefined {
    return [...this.keys.values()].find((k) => k.apiKey === apiKey)?.keyId;
  }

  count(op: Op): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  async mint(managementKey: string, request: MintRequest): Promise<MintedKey> {
    this.calls.push({ op: 'mint', request });
    return this.answer('mint', managementKey, () => {
      if (!this.roles.has(request.roleId)) throw new KeyApiError('not-found', 'mint', 'HTTP 404 NotFound: role not found');
      return this.addKey(request.roleId, request.description, request.expiresAt);
    });
  }

  async list(managementKey: string): Promise<readonly KeyInfo[]> {
    this.calls.push({ op: 'list' });
    return this.answer('list', managementKey, () => [...this.keys.values()].map(({ apiKey: _omitted, ...info }) => info));
  }

  async revoke(managementKey: string, keyId: string): Promise<'revoked' | 'not-found'> {
    this.calls.push({ op: 'revoke', keyId });
    return this.answer('revoke', managementKey, () => {
      const key = this.keys.get(keyId);
      if (!key) return 'not-found';
      this.keys.delete(keyId);
      this.momento.validKeys.delete(key.apiKey);
      this.revoked.push(keyId);
      return 'revoked';
    });
  }

  private answer<T>(op: Op, managementKey: string, apply: () => T): T {
    const failure = this.failures.get(op)?.shift();
    if (failure === 'lost-reply') {
      apply();
      throw new KeyApiError('unavailable', op, 'HTTP 500: reply lost', 8);
    }
    if (failure !== undefined) throw new KeyApiError(failure, op, `HTTP fake ${failure}`, failure === 'unavailable' ? 8 : 1);
    // A live key whose role manages keys (Owner, Operator) may manage keys too: a management secret can rotate itself.
    const live = [...this.keys.values()].find((k) => k.apiKey === managementKey);
    const access = this.managementKeys.get(managementKey) ?? (live ? (MANAGING_ROLES.has(live.roleId) ? 'allowed' : 'forbidden') : undefined);
    if (access === undefined) throw new KeyApiError('unauthorized', op, 'HTTP 401 Unauthorized: invalid key');
    if (access === 'forbidden') throw new KeyApiError('forbidden', op, 'HTTP 403 PermissionDenied');
    return apply();
  }
}
