import { describe, expect, it } from 'vitest';
import { MOMENTO_CELLS_BY_AWS_REGION } from '../../../src/momento/regions.js';
import { APP_ROLE_ID, APP_ROLE_NAME, OPERATOR_ROLE_ID } from '../../support/momento-roles.js';
import { literal, useLocalCli } from '../local-cli.js';

// `migrate` (v1 secret → v2 role and endpoint) against moto_server and the fake Momento.
const { stack, cli, name, current } = useLocalCli('migrate');

const REGION_ENDPOINT = 'cell-us-east-1-1.prod.a.momentohq.com';
const ALL_ROLES = 'Owner → r-owner, Operator → r-operator, Viewer → r-viewer, app-readwrite → r-5c1e0a7b, key-rotation → r-9d2f4e60';

/** A v1 secret as the console's download leaves it, and what it holds before migrate. */
async function v1Secret(label: string) {
  const { arn, key } = await stack().storeConsoleKey(name(label));
  return { arn, key, stages: await stack().service.stages(arn) };
}

describe('migrate --role with --management-secret-id', () => {
  it('resolves a role NAME to its id at Momento and stores the id, with the Region\'s endpoint when none is given', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const { arn, key } = await v1Secret('by-name');
    const result = await cli(['migrate', '--secret-id', arn, '--role', APP_ROLE_NAME, '--management-secret-id', management.arn]);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(new RegExp(`^Stored role ${APP_ROLE_ID} and endpoint ${literal(REGION_ENDPOINT)} beside the same v1 key \\(sha256:[0-9a-f]{8}\\)`, 'm'));
    expect(result.out).toMatch(new RegExp(`The next rotation mints a v2 key with role ${APP_ROLE_ID};`));
    expect(await current(arn)).toEqual({ ...key, roleId: APP_ROLE_ID, endpoint: REGION_ENDPOINT });
  });

  it('takes a role id as it is, once Momento lists it', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const { arn, key } = await v1Secret('by-id');
    const byRole = await cli(['migrate', '--secret-id', arn, '--role', OPERATOR_ROLE_ID, '--management-secret-id', management.arn]);
    expect(byRole).toMatchObject({ code: 0, err: '' });
    expect(await current(arn)).toEqual({ ...key, roleId: OPERATOR_ROLE_ID, endpoint: REGION_ENDPOINT });
    const byRoleId = await cli(['migrate', '--secret-id', arn, '--role-id', APP_ROLE_ID, '--management-secret-id', management.arn]);
    expect(byRoleId).toMatchObject({ code: 0, err: '' });
    expect(await current(arn)).toEqual({ ...key, roleId: APP_ROLE_ID, endpoint: REGION_ENDPOINT });
  });

  it('refuses an unknown role name, listing the account\'s roles name → id, and stores nothing', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const { arn, key, stages } = await v1Secret('unknown');
    const result = await cli(['migrate', '--secret-id', arn, '--role', 'app-read-write', '--management-secret-id', management.arn]);
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toBe(`--role "app-read-write" is neither the name nor the id of a role in this Momento account. Its roles (name → id): ${ALL_ROLES}.`);
    expect(await stack().service.stages(arn)).toEqual(stages);
    expect(await current(arn)).toEqual(key);
  });

  it('refuses a role name given as --role-id (by id only), storing nothing', async () => {
    const management = await stack().storeManagementKey(name('mgmt'));
    const { arn, key, stages } = await v1Secret('name-as-id');
    const result = await cli(['migrate', '--secret-id', arn, '--role-id', APP_ROLE_NAME, '--management-secret-id', management.arn]);
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toBe(`--role-id "app-readwrite" is not the id of a role in this Momento account (it is the name of r-5c1e0a7b: pass --role to give a name). Its roles (name → id): ${ALL_ROLES}.`);
    expect(await stack().service.stages(arn)).toEqual(stages);
    expect(await current(arn)).toEqual(key);
  });

  it('refuses with a management key whose role may not list roles, saying why, and stores nothing', async () => {
    const app = stack().momento.issueV2Key({ roleId: APP_ROLE_ID });
    const management = await stack().createSecret(name('app-mgmt'), JSON.stringify({ apiKey: app.apiKey }));
    const { arn, key, stages } = await v1Secret('forbidden');
    const result = await cli(['migrate', '--secret-id', arn, '--role', APP_ROLE_NAME, '--management-secret-id', management]);
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toMatch(/^Could not check the role at Momento \(nothing was stored\): the management key's role may not do this/);
    expect(await stack().service.stages(arn)).toEqual(stages);
    expect(await current(arn)).toEqual(key);
  });
});

describe('migrate without --management-secret-id', () => {
  it('stores --role as given, saying it was not checked and that a name is resolved only with a management secret', async () => {
    const { arn, key } = await v1Secret('unchecked');
    const result = await cli(['migrate', '--secret-id', arn, '--role', APP_ROLE_ID]);
    expect(result.code).toBe(0);
    expect(result.err).toBe(`Not checked at Momento: role ${APP_ROLE_ID} (as an id; a role name is resolved only with --management-secret-id).`);
    expect(await current(arn)).toEqual({ ...key, roleId: APP_ROLE_ID, endpoint: REGION_ENDPOINT });
  });

  it('stores --endpoint given as the regions page shows it as its base', async () => {
    const { arn, key } = await v1Secret('endpoint-url');
    const result = await cli(['migrate', '--secret-id', arn, '--role-id', APP_ROLE_ID, '--endpoint', 'https://api.cache.cell-4-us-west-2-1.prod.a.momentohq.com']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Stored role r-5c1e0a7b and endpoint cell-4-us-west-2-1\.prod\.a\.momentohq\.com beside/);
    expect(await current(arn)).toEqual({ ...key, roleId: APP_ROLE_ID, endpoint: 'cell-4-us-west-2-1.prod.a.momentohq.com' });
  });

  it.each([
    ['http://x', /^--endpoint "http:\/\/x" uses http:\/\/, not https:\/\/: expected Momento's region base endpoint/],
    ['us-west-2', /^--endpoint "us-west-2" is not a host name: expected Momento's region base endpoint, such as cell-4-us-west-2-1\.prod\.a\.momentohq\.com/],
    ['control.cell-4-us-west-2-1.prod.a.momentohq.com', /is a service host, not the base/],
  ])('refuses --endpoint %j, storing nothing', async (endpoint, message) => {
    const { arn, key, stages } = await v1Secret('bad-endpoint');
    const result = await cli(['migrate', '--secret-id', arn, '--role-id', APP_ROLE_ID, '--endpoint', endpoint]);
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toMatch(message);
    expect(await stack().service.stages(arn)).toEqual(stages);
    expect(await current(arn)).toEqual(key);
  });

  it('refuses a Region Momento has no cell in, without --endpoint, listing the Regions it serves', async () => {
    const result = await cli(['migrate', '--secret-id', name('no-cell'), '--role-id', APP_ROLE_ID, '--region', 'af-south-1']);
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toContain(`Momento has no public cell in AWS Region "af-south-1". It serves ${Object.keys(MOMENTO_CELLS_BY_AWS_REGION).join(', ')}.`);
  });
});
