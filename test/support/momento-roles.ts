/**
 * Momento's roles as GET /roles returns them (momentohq/public-dev-docs
 * docs/platform/authentication/roles-http-api.md; system role ids r-owner, r-operator and
 * r-viewer from momentohq/terraform-provider-momento's acceptance tests; Owner's
 * {super_user: true} from momentohq/momento-cli custom_role/utils.rs). Operator's and
 * Viewer's rules are not published: they follow roles-and-permissions.md's words
 * (Operator: read/write on auth and resource management, read on account management;
 * Viewer: read-only on all three). Custom roles have ids of their own, unlike their names.
 * Both fakes of Momento serve and obey these.
 */
export interface RoleJson {
  readonly role_id: string;
  readonly role_name: string;
  readonly role_type: 'system' | 'custom';
  readonly description?: string;
  readonly permissions: { readonly super_user?: boolean; readonly rules?: readonly { type: string; permissions: readonly string[]; [k: string]: unknown }[] };
}

export const OWNER_ROLE_ID = 'r-owner';
export const OPERATOR_ROLE_ID = 'r-operator';
export const VIEWER_ROLE_ID = 'r-viewer';
/** A custom role whose id is not its name: a user who copies the name gets a 404 on mint. */
export const APP_ROLE_ID = 'r-5c1e0a7b';
export const APP_ROLE_NAME = 'app-readwrite';
/** A custom role made as the README shows for management keys: exactly auth_management read, write and list. */
export const KEY_MANAGER_ROLE_ID = 'r-9d2f4e60';
export const KEY_MANAGER_ROLE_NAME = 'key-rotation';

export function defaultRoles(): RoleJson[] {
  return [
    { role_id: OWNER_ROLE_ID, role_name: 'Owner', role_type: 'system', description: 'superuser role', permissions: { super_user: true } },
    {
      role_id: OPERATOR_ROLE_ID,
      role_name: 'Operator',
      role_type: 'system',
      permissions: {
        rules: [
          { type: 'account_management', permissions: ['read', 'list'] },
          { type: 'auth_management', permissions: ['read', 'write', 'list'], items: '*' },
          { type: 'resource_management', permissions: ['read', 'write', 'list'], resources: '*' },
          { type: 'cache', permissions: ['read', 'write', 'list'], caches: '*', items: '*' },
        ],
      },
    },
    {
      role_id: VIEWER_ROLE_ID,
      role_name: 'Viewer',
      role_type: 'system',
      permissions: {
        rules: [
          { type: 'account_management', permissions: ['read', 'list'] },
          { type: 'auth_management', permissions: ['read', 'list'], items: '*' },
          { type: 'resource_management', permissions: ['read', 'list'], resources: '*' },
          { type: 'cache', permissions: ['read', 'list'], caches: '*', items: '*' },
        ],
      },
    },
    {
      role_id: APP_ROLE_ID,
      role_name: APP_ROLE_NAME,
      role_type: 'custom',
      description: 'Orders service: read and write its caches',
      permissions: { rules: [{ type: 'cache', permissions: ['read', 'write'], caches: '*', items: '*' }] },
    },
    {
      role_id: KEY_MANAGER_ROLE_ID,
      role_name: KEY_MANAGER_ROLE_NAME,
      role_type: 'custom',
      description: 'Mints, lists and revokes API keys for momento-secret-rotation',
      permissions: { rules: [{ type: 'auth_management', permissions: ['read', 'write', 'list'], items: '*' }] },
    },
  ];
}

/** What a key of `role` may do at the key-management API: GETs need auth_management "list", POST and DELETE "write". */
export function fakeRoleAllows(role: RoleJson | undefined, operation: 'read' | 'write'): boolean {
  if (role === undefined) return false;
  if (role.permissions.super_user === true) return true;
  const granted = (role.permissions.rules ?? []).filter((r) => r.type === 'auth_management').flatMap((r) => r.permissions);
  return operation === 'read' ? granted.includes('list') : granted.includes('write');
}
