import { describe, expect, it } from 'vitest';
import { KeyApiError, keyManagementAccess, type PermissionRule } from '../../src/momento/key-management.js';
import { defaultRoles, KEY_MANAGER_ROLE_ID, OPERATOR_ROLE_ID, OWNER_ROLE_ID, VIEWER_ROLE_ID } from '../support/momento-roles.js';

/** A role as listRoles reads it, from the fakes' role JSON. */
function role(id: string) {
  const json = defaultRoles().find((r) => r.role_id === id)!;
  return {
    superUser: json.permissions.super_user === true,
    rules: (json.permissions.rules ?? []).map((r) => ({ type: r.type, permissions: [...r.permissions] })),
  };
}
const custom = (...rules: PermissionRule[]) => ({ superUser: false, rules });

describe('keyManagementAccess', () => {
  it('gives Owner (super_user, no rules) everything', () => {
    expect(role(OWNER_ROLE_ID)).toEqual({ superUser: true, rules: [] });
    expect(keyManagementAccess(role(OWNER_ROLE_ID))).toEqual({ list: true, mintAndRevoke: true });
  });

  it('gives Operator (auth_management read, write and list) everything', () => {
    expect(keyManagementAccess(role(OPERATOR_ROLE_ID))).toEqual({ list: true, mintAndRevoke: true });
  });

  it('gives Viewer (auth_management read and list) listing only', () => {
    expect(keyManagementAccess(role(VIEWER_ROLE_ID))).toEqual({ list: true, mintAndRevoke: false });
  });

  it('gives the README\'s key-rotation role (auth_management read, write and list, nothing else) everything', () => {
    expect(keyManagementAccess(role(KEY_MANAGER_ROLE_ID))).toEqual({ list: true, mintAndRevoke: true });
  });

  it('gives a custom role with auth_management write but no list nothing: it could mint, but never find what to revoke', () => {
    expect(keyManagementAccess(custom({ type: 'auth_management', permissions: ['write'] }))).toEqual({ list: false, mintAndRevoke: false });
    expect(keyManagementAccess(custom({ type: 'auth_management', permissions: ['read', 'write'] }))).toEqual({ list: false, mintAndRevoke: false });
  });

  it('asks for read too before calling a role able to rotate: the docs name read, write and list as what managing keys takes', () => {
    expect(keyManagementAccess(custom({ type: 'auth_management', permissions: ['write', 'list'] }))).toEqual({ list: true, mintAndRevoke: false });
  });

  it('reads only auth_management rules: write and list on other resources grant nothing here', () => {
    const dataOnly = custom(
      { type: 'cache', permissions: ['read', 'write', 'list'] },
      { type: 'resource_management', permissions: ['read', 'write', 'list'] },
      { type: 'account_management', permissions: ['read', 'list'] },
    );
    expect(keyManagementAccess(dataOnly)).toEqual({ list: false, mintAndRevoke: false });
    expect(keyManagementAccess(custom({ type: 'cache', permissions: ['write'] }, { type: 'auth_management', permissions: ['read', 'list'] }))).toEqual({
      list: true,
      mintAndRevoke: false,
    });
  });

  it('adds up the permissions of several auth_management rules', () => {
    expect(
      keyManagementAccess(custom({ type: 'auth_management', permissions: ['read', 'list'] }, { type: 'auth_management', permissions: ['write'] })),
    ).toEqual({ list: true, mintAndRevoke: true });
  });

  it('gives a role without rules, or with empty ones, nothing', () => {
    expect(keyManagementAccess(custom())).toEqual({ list: false, mintAndRevoke: false });
    expect(keyManagementAccess(custom({ type: 'auth_management', permissions: [] }))).toEqual({ list: false, mintAndRevoke: false });
  });

  it('matches rule types and permissions exactly', () => {
    expect(keyManagementAccess(custom({ type: 'Auth_Management', permissions: ['read', 'write', 'list'] }))).toEqual({ list: false, mintAndRevoke: false });
    expect(keyManagementAccess(custom({ type: 'auth_management', permissions: ['READ', 'WRITE', 'LIST'] }))).toEqual({ list: false, mintAndRevoke: false });
  });
});

describe('KeyApiError', () => {
  it('says the operation, the failure and the detail, and keeps them', () => {
    const error = new KeyApiError('not-found', 'list-roles', 'HTTP 404 NotFound: gone (why)', 3);
    expect(error).toBeInstanceOf(Error);
    expect([error.name, error.message, error.failure, error.operation, error.detail, error.attempts]).toEqual([
      'KeyApiError',
      'list-roles: not-found (HTTP 404 NotFound: gone (why))',
      'not-found',
      'list-roles',
      'HTTP 404 NotFound: gone (why)',
      3,
    ]);
    expect(new KeyApiError('forbidden', 'mint', '').message).toBe('mint: forbidden');
    expect(new KeyApiError('forbidden', 'mint', 'x').attempts).toBe(1);
  });
});
