import { expect, test } from '@playwright/test';
import { ConfigError, parseConfig } from '../../src/running/config';

const external = { TARGET_BASE_URL: 'https://translation.example', TARGET_PARENT: 'projects/p' };

test.describe('config', () => {
  test('a generic target needs no parent when OPERATION_CREATE_PATH says where operations start', () => {
    const cfg = parseConfig({ TARGET_BASE_URL: 'http://127.0.0.1:9', OPERATION_CREATE_PATH: '/v1/jobs:run', AUTH_MODE: 'none', TARGET_LIST_PATH: '/v1/operations?name=operations', WAIT_SUPPORT: 'absent' });
    expect([cfg.parent, cfg.createPath, cfg.authMode, cfg.listPath, cfg.waitSupport, cfg.listSupport]).toEqual([undefined, '/v1/jobs:run', 'none', '/v1/operations?name=operations', 'absent', 'auto']);
    // A create path that still names {TARGET_PARENT} needs one.
    expect(() => parseConfig({ TARGET_BASE_URL: 'http://127.0.0.1:9', OPERATION_CREATE_PATH: '/v3/{TARGET_PARENT}:run' })).toThrow(/TARGET_PARENT: is required/);
    expect(parseConfig({ ...external, TARGET_PARENT: 'tenants/t1' }).parent).toBe('tenants/t1');
  });

  test('the generic-target variables refuse bad values with a message naming them', () => {
    for (const [env, message] of [
      [{ AUTH_MODE: 'off' }, /^AUTH_MODE: "off" is not allowed\. Use one of: oauth, none\.$/],
      [{ TARGET_LIST_PATH: 'operations' }, /^TARGET_LIST_PATH: "operations" is not a path/],
      [{ WAIT_SUPPORT: 'maybe' }, /^WAIT_SUPPORT: "maybe" is not allowed/],
      [{ LIST_SUPPORT: 'no' }, /^LIST_SUPPORT: "no" is not allowed/],
      [{ TARGET_PARENT: '/projects/p/' }, /^TARGET_PARENT: "\/projects\/p\/" is not a parent name/],
    ] as const) {
      expect(() => parseConfig({ ...external, ...env }), JSON.stringify(env)).toThrow(message);
    }
  });

  test('defaults target the embedded server with the fixture bodies', () => {
    const cfg = parseConfig({});
    expect(cfg.baseUrl).toBeUndefined();
    expect(cfg.apiPrefix).toBe('/v3');
    expect(cfg.parent).toBe('projects/conformance');
    expect(cfg.createPath).toBe('/v3/projects/conformance:batchTranslateDocument');
    expect(cfg.cancelSupport).toBe('auto');
    expect(cfg.settleTimeoutMs).toBe(30_000);
    expect(cfg.finishedCancelPolicy).toBe('either');
    expect(cfg.createBody).toHaveProperty('targetLanguageCodes');
  });

  test('explicit values win and placeholders in OPERATION_CREATE_PATH expand', () => {
    const cfg = parseConfig({
      ...external,
      TARGET_BASE_URL: 'https://translation.example/',
      TARGET_API_PREFIX: '/v3beta1',
      TARGET_PARENT: 'projects/p/locations/us-central1',
      OPERATION_CREATE_PATH: '{TARGET_API_PREFIX}/{TARGET_PARENT}:batchTranslateDocument',
      TARGET_HEADERS: '{"x-goog-user-project":"p"}',
      AUTH_TOKEN_INSUFFICIENT: 'a-token-1234, b-token-5678 ,',
      CANCEL_SETTLE_TIMEOUT: '2.5',
    });
    expect(cfg.baseUrl).toBe('https://translation.example');
    expect(cfg.createPath).toBe('/v3beta1/projects/p/locations/us-central1:batchTranslateDocument');
    expect(cfg.headers).toEqual({ 'x-goog-user-project': 'p' });
    expect(cfg.tokens.insufficient).toEqual(['a-token-1234', 'b-token-5678']);
    expect(cfg.settleTimeoutMs).toBe(2500);
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ['TARGET_BASE_URL', { TARGET_BASE_URL: 'not a url' }, /^TARGET_BASE_URL: "not a url" is not a URL/],
    ['TARGET_BASE_URL', { TARGET_BASE_URL: 'ftp://x' }, /^TARGET_BASE_URL: protocol ftp: is not supported/],
    ['TARGET_PARENT', { TARGET_BASE_URL: 'https://x' }, /^TARGET_PARENT: is required when TARGET_BASE_URL or TARGET_GRPC_ADDRESS is set/],
    ['TARGET_PARENT', { ...external, TARGET_PARENT: 'projects/p/operations/x' }, /^TARGET_PARENT: .* is not a parent name/],
    ['TARGET_API_PREFIX', { TARGET_API_PREFIX: 'v3/' }, /^TARGET_API_PREFIX: "v3\/" is not a path prefix/],
    ['TARGET_HEADERS', { TARGET_HEADERS: '{nope' }, /^TARGET_HEADERS: is not valid JSON/],
    ['TARGET_HEADERS', { TARGET_HEADERS: '{"a":1}' }, /^TARGET_HEADERS: is not a JSON object of string values/],
    ['TARGET_HEADERS', { TARGET_HEADERS: '{"Authorization":"Bearer x"}' }, /^TARGET_HEADERS: must not carry Authorization/],
    ['OPERATION_CREATE_BODY', { OPERATION_CREATE_BODY: 'fixtures/nope.json' }, /^OPERATION_CREATE_BODY: cannot read .*nope\.json/],
    ['OPERATION_CREATE_BODY_QUICK', { OPERATION_CREATE_BODY_QUICK: 'README.md' }, /^OPERATION_CREATE_BODY_QUICK: .* is not valid JSON/],
    ['CANCEL_SUPPORT', { CANCEL_SUPPORT: 'maybe' }, /^CANCEL_SUPPORT: "maybe" is not allowed\. Use one of: auto, supported, unimplemented/],
    ['CANCEL_SETTLE_TIMEOUT', { CANCEL_SETTLE_TIMEOUT: '-1' }, /^CANCEL_SETTLE_TIMEOUT: "-1" is not a positive number/],
    ['CANCEL_ATTEMPTS', { CANCEL_ATTEMPTS: '1.5' }, /^CANCEL_ATTEMPTS: "1.5" is not a positive integer/],
    ['AUTH_CLIENT_SECRET', { AUTH_TOKEN_URL: 'http://127.0.0.1:1/token', AUTH_CLIENT_ID: 'x' }, /^AUTH_CLIENT_SECRET: is missing/],
    ['AUTH_TOKEN_URL', { AUTH_TOKEN_URL: 'nope', AUTH_CLIENT_ID: 'x', AUTH_CLIENT_SECRET: 'y' }, /^AUTH_TOKEN_URL: "nope" is not a URL/],
    ['SCOPE_CHECKS_REASON', { SCOPE_CHECKS: 'not-applicable' }, /^SCOPE_CHECKS_REASON: is required/],
    ['FINISHED_CANCEL_POLICY', { FINISHED_CANCEL_POLICY: 'sometimes' }, /^FINISHED_CANCEL_POLICY: "sometimes" is not allowed/],
    ['ERROR_FORM', { ERROR_FORM: 'bare' }, /^ERROR_FORM: "bare" is not allowed/],
  ];
  for (const [variable, env, message] of bad) {
    test(`a bad ${variable} gets one message naming it (${JSON.stringify(env).slice(0, 60)})`, () => {
      let error: unknown;
      try {
        parseConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.split('\n')).toHaveLength(1);
    });
  }

  test('TARGET_PRESET=gdc fills the GDC shape and the identity-token command; explicit variables win', () => {
    const cfg = parseConfig({ TARGET_PRESET: 'gdc', TARGET_BASE_URL: 'https://translation.zone1.gdc.example/', TARGET_PROJECT: 'p1' });
    expect(cfg.preset).toBe('gdc');
    expect(cfg.parent).toBe('projects/p1');
    expect(cfg.createPath).toBe('/v3/projects/p1:batchTranslateDocument');
    expect(cfg.commands.everyday).toBe('gdcloud auth print-identity-token --audiences=https://translation.zone1.gdc.example');
    const explicit = parseConfig({ TARGET_PRESET: 'gdc', TARGET_BASE_URL: 'https://g.example', TARGET_PROJECT: 'p1', TARGET_PARENT: 'projects/other', TARGET_API_PREFIX: '/v3beta1', AUTH_TOKEN_COMMAND: 'my-token-cmd' });
    expect(explicit.parent).toBe('projects/other');
    expect(explicit.apiPrefix).toBe('/v3beta1');
    expect(explicit.commands.everyday).toBe('my-token-cmd');
  });

  test('TARGET_PRESET=cloud fills translate.googleapis.com and projects/{p}/locations/{l}; explicit variables win', () => {
    const cfg = parseConfig({ TARGET_PRESET: 'cloud', TARGET_PROJECT: 'p2' });
    expect(cfg.baseUrl).toBe('https://translate.googleapis.com');
    expect(cfg.parent).toBe('projects/p2/locations/us-central1');
    expect(cfg.createPath).toBe('/v3/projects/p2/locations/us-central1:batchTranslateDocument');
    expect(cfg.commands.everyday).toBeUndefined();
    expect(parseConfig({ TARGET_PRESET: 'cloud', TARGET_PROJECT: 'p2', TARGET_LOCATION: 'europe-west1' }).parent).toBe('projects/p2/locations/europe-west1');
    expect(parseConfig({ TARGET_PRESET: 'cloud', TARGET_PROJECT: 'p2', TARGET_BASE_URL: 'http://127.0.0.1:8080' }).baseUrl).toBe('http://127.0.0.1:8080');
    expect(parseConfig({}).preset).toBeUndefined();
  });

  test('token commands and their timing are read with their defaults', () => {
    const cfg = parseConfig({ AUTH_TOKEN_COMMAND_TRANSLATION: 'a', AUTH_TOKEN_COMMAND_PLATFORM: 'b', AUTH_TOKEN_COMMAND_INSUFFICIENT: 'c', AUTH_TOKEN_COMMAND: 'd' });
    expect(cfg.commands).toEqual({ translation: 'a', platform: 'b', insufficient: 'c', everyday: 'd', ttlS: 300, timeoutMs: 30_000 });
    expect(parseConfig({ AUTH_TOKEN_COMMAND_TTL: '60', AUTH_TOKEN_COMMAND_TIMEOUT: '2.5' }).commands).toMatchObject({ ttlS: 60, timeoutMs: 2500 });
  });

  const badPresets: [string, Record<string, string>, RegExp][] = [
    ['TARGET_PRESET', { TARGET_PRESET: 'aws' }, /^TARGET_PRESET: "aws" is not a preset\. Use gdc .* or cloud/],
    ['TARGET_PROJECT', { TARGET_PRESET: 'cloud' }, /^TARGET_PROJECT: is required with TARGET_PRESET=cloud/],
    ['TARGET_PROJECT', { TARGET_PRESET: 'cloud', TARGET_PROJECT: 'a/b' }, /^TARGET_PROJECT: "a\/b" is not a project ID/],
    ['TARGET_BASE_URL', { TARGET_PRESET: 'gdc', TARGET_PROJECT: 'p' }, /^TARGET_BASE_URL: is required with TARGET_PRESET=gdc/],
    ['TARGET_LOCATION', { TARGET_PRESET: 'cloud', TARGET_PROJECT: 'p', TARGET_LOCATION: 'us/x' }, /^TARGET_LOCATION: "us\/x" is not a location ID/],
    ['AUTH_TOKEN_COMMAND_TTL', { AUTH_TOKEN_COMMAND_TTL: '0' }, /^AUTH_TOKEN_COMMAND_TTL: "0" is not a positive number/],
    ['AUTH_TOKEN_COMMAND_TIMEOUT', { AUTH_TOKEN_COMMAND_TIMEOUT: 'soon' }, /^AUTH_TOKEN_COMMAND_TIMEOUT: "soon" is not a positive number/],
  ];
  for (const [variable, env, message] of badPresets) {
    test(`a bad ${variable} gets one message naming it (${JSON.stringify(env).slice(0, 70)})`, () => {
      let error: unknown;
      try {
        parseConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.split('\n')).toHaveLength(1);
    });
  }

  test('SCOPE_CHECKS=not-applicable carries the declared reason', () => {
    expect(parseConfig({ SCOPE_CHECKS: 'not-applicable', SCOPE_CHECKS_REASON: 'GDC uses IAM roles' }).scopeChecksNotApplicable).toBe('GDC uses IAM roles');
  });
});
