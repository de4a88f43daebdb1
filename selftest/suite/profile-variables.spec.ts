// Each embedded profile sets the suite variables it implies (reference-server/profiles.ts `suite`):
// `REFERENCE_PROFILE=generic-lro npm run conformance` alone is a complete run. Issue 24 (8): it was
// INCOMPLETE without OPERATION_CREATE_PATH, two bodies, AUTH_MODE=none, a gRPC method and protos.
// The run itself is the matrix's: generic-lro and google-faithful run there with none of their variables set,
// CONFORMANT on both doors, no token source used, nothing left running (selftest/matrix).
import { expect, test } from '@playwright/test';
import { PROFILES } from '../../reference-server/profiles';
import { VARIABLES } from '../../src/running/config-variables';
import { parseConfig } from '../../src/running/config';
import { startEmbeddedTarget } from '../../src/running/embedded-target';

const GENERIC_SUITE = {
  OPERATION_CREATE_PATH: '/v3/jobs:run',
  OPERATION_CREATE_BODY: 'fixtures/generic-job-long.json',
  OPERATION_CREATE_BODY_QUICK: 'fixtures/generic-job-quick.json',
  AUTH_MODE: 'none',
  OPERATION_CREATE_GRPC_METHOD: 'conformance.jobs.v1.JobService/RunJob',
  GRPC_PROTO_PATH: 'fixtures/protos:conformance/jobs/v1/jobs.proto',
};
const ISSUER = ['AUTH_TOKEN_URL', 'AUTH_CLIENT_ID', 'AUTH_CLIENT_SECRET'];

/** The variables the embedded target publishes for this environment (the server is closed again). */
async function published(env: Record<string, string>): Promise<Readonly<Record<string, string>>> {
  const target = await startEmbeddedTarget({ REFERENCE_GRPC: 'false', ...env });
  await target.close();
  return target.variables;
}

test.describe('the suite variables a profile implies', () => {
  test('every profile names only variables the suite reads', () => {
    const known = new Set(VARIABLES.map((v) => v.name));
    const unknown = Object.entries(PROFILES).flatMap(([name, p]) => Object.keys(p.suite ?? {}).filter((v) => !known.has(v)).map((v) => `${name}: ${v}`));
    expect(unknown).toEqual([]);
  });

  test('generic-lro: its create path, bodies, gRPC method and protos, AUTH_MODE=none, and no issuer client', async () => {
    const variables = await published({ REFERENCE_PROFILE: 'generic-lro' });
    expect(variables).toMatchObject(GENERIC_SUITE);
    // Nothing is authenticated: no token is minted, sent or named as a source.
    for (const name of ISSUER) expect(variables[name], name).toBeUndefined();
    const cfg = parseConfig(variables);
    expect([cfg.authMode, cfg.createPath, cfg.clientCredentials]).toEqual(['none', '/v3/jobs:run', undefined]);
  });

  test('a value the user set wins over the profile\'s, and an explicit AUTH_MODE=oauth keeps the issuer', async () => {
    const variables = await published({ REFERENCE_PROFILE: 'generic-lro', OPERATION_CREATE_PATH: '/v3/jobs:start', AUTH_MODE: 'oauth' });
    expect(variables.OPERATION_CREATE_PATH).toBeUndefined();
    expect(variables.AUTH_MODE).toBeUndefined();
    expect(variables.OPERATION_CREATE_BODY).toBe(GENERIC_SUITE.OPERATION_CREATE_BODY);
    for (const name of ISSUER) expect(variables[name], name).toBeTruthy();
    // A blank value is unset, as everywhere in the suite.
    expect((await published({ REFERENCE_PROFILE: 'generic-lro', OPERATION_CREATE_PATH: ' ' })).OPERATION_CREATE_PATH).toBe('/v3/jobs:run');
  });

  test('google-faithful: a parent with a location, unless TARGET_PARENT is set', async () => {
    expect((await published({ REFERENCE_PROFILE: 'google-faithful' })).TARGET_PARENT).toBe('projects/conformance/locations/us-central1');
    expect((await published({ REFERENCE_PROFILE: 'google-faithful', TARGET_PARENT: 'projects/mine/locations/europe-west1' })).TARGET_PARENT).toBe('projects/mine/locations/europe-west1');
  });

  test('conformant implies nothing: the default parent and the issuer, as before', async () => {
    const variables = await published({ REFERENCE_PROFILE: 'conformant' });
    expect(variables.TARGET_PARENT).toBe('projects/conformance');
    for (const name of [...Object.keys(GENERIC_SUITE)]) expect(variables[name], name).toBeUndefined();
    for (const name of ISSUER) expect(variables[name], name).toBeTruthy();
  });
});
