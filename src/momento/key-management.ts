/**
 * Momento's key-management API as the v2 strategy uses it: mint, list, revoke. Behind
 * this interface so the protocol can be tested with a fake; `http-key-management.ts`
 * is the one file that knows the real URLs, JSON fields and status codes (Momento's
 * page for them is unlisted and may change).
 */
export interface KeyManagementApi {
  /** POST /api-keys. The plaintext key exists only in this answer. */
  mint(managementKey: string, request: MintRequest, deadline: number): Promise<MintedKey>;
  /** GET /api-keys, every page. */
  list(managementKey: string, deadline: number): Promise<readonly KeyInfo[]>;
  /** DELETE /api-keys/{keyId}. 'not-found' when Momento no longer knows the key (already revoked or expired). */
  revoke(managementKey: string, keyId: string, deadline: number): Promise<'revoked' | 'not-found'>;
  /** GET /roles, every page: the account's system and custom roles with their permissions. */
  listRoles(managementKey: string, deadline: number): Promise<readonly RoleInfo[]>;
}

/** A Momento role: what a key bound to it may do is its rules, read from Momento, never inferred from its name. */
export interface RoleInfo {
  /** E.g. r-operator for a system role; custom roles have ids of their own. */
  readonly roleId: string;
  /** What the console shows; not what a key is bound by. */
  readonly roleName: string;
  /** 'system' or 'custom'. */
  readonly roleType: string;
  /** Owner's permissions are {super_user: true}: everything, with no rules. */
  readonly superUser: boolean;
  readonly rules: readonly PermissionRule[];
}

/**
 * What a key bound to `role` may do with API keys, from the role's rules as Momento lists
 * them: listing needs auth_management "list"; minting and revoking need "write" as well
 * (roles-http-api.md's rule table; a key of Viewer, read-only on auth, gets 403 there).
 */
export function keyManagementAccess(role: Pick<RoleInfo, 'superUser' | 'rules'>): { list: boolean; mintAndRevoke: boolean } {
  if (role.superUser) return { list: true, mintAndRevoke: true };
  const granted = new Set(role.rules.filter((r) => r.type === 'auth_management').flatMap((r) => r.permissions));
  return { list: granted.has('list'), mintAndRevoke: granted.has('list') && granted.has('write') && granted.has('read') };
}

export interface PermissionRule {
  /** E.g. auth_management. */
  readonly type: string;
  /** E.g. read, write, list. */
  readonly permissions: readonly string[];
}

export interface MintRequest {
  readonly roleId: string;
  readonly description: string;
  /** Epoch seconds. Every key this project mints expires. */
  readonly expiresAt: number;
}

export interface KeyInfo {
  readonly keyId: string;
  readonly roleId: string;
  readonly description: string;
  /** Epoch seconds; undefined for a key that never expires. */
  readonly expiresAt: number | undefined;
  readonly issuedAt: number | undefined;
}

export interface MintedKey {
  /** Plaintext: remember it for redaction before anything can log it. */
  readonly apiKey: string;
  readonly info: KeyInfo;
}

/**
 * What went wrong, in the project's terms:
 * - unauthorized: the management key is invalid or expired (401);
 * - forbidden: its role may not manage keys (403);
 * - not-found: unknown role on mint (404); on revoke it is not an error;
 * - bad-request: Momento refused the request's shape (400);
 * - unavailable: 429, 5xx, timeouts and dropped connections, still failing after the retries.
 */
export type KeyApiFailure = 'unauthorized' | 'forbidden' | 'not-found' | 'bad-request' | 'unavailable';

export class KeyApiError extends Error {
  override readonly name = 'KeyApiError';
  constructor(
    readonly failure: KeyApiFailure,
    readonly operation: 'mint' | 'list' | 'revoke' | 'list-roles',
    /** Momento's answer (status, code, message), or what happened on the wire. */
    readonly detail: string,
    readonly attempts = 1,
  ) {
    super(`${operation}: ${failure}${detail ? ` (${detail})` : ''}`);
  }
}
