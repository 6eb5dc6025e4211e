import { randomUUID } from 'node:crypto';
import {
  KeyApiError,
  type KeyApiFailure,
  type KeyInfo,
  type KeyManagementApi,
  type MintRequest,
  type MintedKey,
  type RoleInfo,
} from '../../src/momento/key-management.js';
import type { FakeMomento } from './fake-momento.js';
import { APP_ROLE_ID, defaultRoles, fakeRoleAllows, OPERATOR_ROLE_ID, type RoleJson } from './momento-roles.js';
import { fakeV2Key } from './secrets.js';

interface FakeKey extends KeyInfo {
  readonly apiKey: string;
}

type Op = 'mint' | 'list' | 'revoke' | 'list-roles';

/**
 * Momento's key-management API in memory, for unit tests: keys minted here become valid
 * at the FakeMomento (so testSecret's probe accepts them) and stop being valid when
 * revoked. Like Momento, a key's id is its `jti` claim and its expiry its `exp` claim
 * (momento-cli decode.rs). What a caller may do follows its role's rules (momento-roles.ts):
 * a Viewer key lists, but may not mint or revoke. Failures can be queued per operation,
 * and 'lost-reply' applies the operation, then fails.
 */
export class FakeKeyApi implements KeyManagementApi {
  readonly roles = new Map<string, RoleJson>(defaultRoles().map((r) => [r.role_id, r]));
  /** Management keys by key, with their role id: keys the tests hold that this account's listing does not show. */
  readonly managementKeys = new Map<string, string>();
  /** Live keys by id. */
  readonly keys = new Map<string, FakeKey>();
  readonly revoked: string[] = [];
  readonly calls: { op: Op; keyId?: string; request?: MintRequest }[] = [];
  private readonly failures = new Map<Op, (KeyApiFailure | 'lost-reply')[]>();

  constructor(
    private readonly momento: FakeMomento,
    private readonly now: () => number,
  ) {}

  /** A management key, as the console would issue one, bound to `roleId` (Operator unless told). */
  issueManagementKey(roleId = OPERATOR_ROLE_ID): string {
    const key = fakeV2Key();
    this.managementKeys.set(key, roleId);
    return key;
  }

  /** A v2 key as the console issues it: valid at Momento, known here by its id (its jti). */
  issueKey(roleId = APP_ROLE_ID, description = 'created in the console', expiresAt?: number): { apiKey: string; keyId: string } {
    const { apiKey, info } = this.addKey(roleId, description, expiresAt);
    return { apiKey, keyId: info.keyId };
  }

  /** A new key, valid here and at the FakeMomento. */
  private addKey(roleId: string, description: string, expiresAt: number | undefined): MintedKey {
    const keyId = `key-${randomUUID()}`;
    const apiKey = fakeV2Key({ jti: keyId, ...(expiresAt !== undefined ? { exp: expiresAt } : {}) });
    const info: KeyInfo = { keyId, roleId, description, expiresAt, issuedAt: Math.floor(this.now() / 1000) };
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
    return this.answer('mint', managementKey, 'write', () => {
      if (!this.roles.has(request.roleId)) throw new KeyApiError('not-found', 'mint', `HTTP 404 NotFound: no role ${request.roleId}`);
      return this.addKey(request.roleId, request.description, request.expiresAt);
    });
  }

  async list(managementKey: string): Promise<readonly KeyInfo[]> {
    this.calls.push({ op: 'list' });
    return this.answer('list', managementKey, 'read', () => [...this.keys.values()].map(({ apiKey: _omitted, ...info }) => info));
  }

  async revoke(managementKey: string, keyId: string): Promise<'revoked' | 'not-found'> {
    this.calls.push({ op: 'revoke', keyId });
    return this.answer('revoke', managementKey, 'write', () => {
      const key = this.keys.get(keyId);
      if (!key) return 'not-found';
      this.keys.delete(keyId);
      this.momento.validKeys.delete(key.apiKey);
      this.revoked.push(keyId);
      return 'revoked';
    });
  }

  async listRoles(managementKey: string): Promise<readonly RoleInfo[]> {
    this.calls.push({ op: 'list-roles' });
    return this.answer('list-roles', managementKey, 'read', () =>
      [...this.roles.values()].map((r) => ({
        roleId: r.role_id,
        roleName: r.role_name,
        roleType: r.role_type,
        superUser: r.permissions.super_user === true,
        rules: (r.permissions.rules ?? []).map((rule) => ({ type: rule.type, permissions: [...rule.permissions] })),
      })),
    );
  }

  private answer<T>(op: Op, managementKey: string, needs: 'read' | 'write', apply: () => T): T {
    const failure = this.failures.get(op)?.shift();
    if (failure === 'lost-reply') {
      apply();
      throw new KeyApiError('unavailable', op, 'HTTP 500: reply lost', 8);
    }
    if (failure !== undefined) throw new KeyApiError(failure, op, `HTTP fake ${failure}`, failure === 'unavailable' ? 8 : 1);
    // Any live key may call: what it may do is its role's (a management secret can rotate itself).
    const live = [...this.keys.values()].find((k) => k.apiKey === managementKey);
    const roleId = this.managementKeys.get(managementKey) ?? live?.roleId;
    if (roleId === undefined) throw new KeyApiError('unauthorized', op, 'HTTP 401 Unauthorized: invalid key');
    if (!fakeRoleAllows(this.roles.get(roleId), needs)) throw new KeyApiError('forbidden', op, 'HTTP 403 PermissionDenied');
    return apply();
  }
}
