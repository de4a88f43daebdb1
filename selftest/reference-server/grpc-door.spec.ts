// The reference server's gRPC door (google.longrunning.Operations, TranslationService) against a
// plain grpc-js client: one backend with the REST door (same operations, tokens, profiles, zone),
// its statuses by the code table, rich details in grpc-status-details-bin, and the faults per door.
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ReferenceConfigError, optionsFromEnv, startReferenceServer, type RunningReference } from '../../reference-server/index';
import { certFiles } from '../tls/helpers';
import { METADATA_TYPE, errorInfo, expect, grpc, openDoor, rfc3339, test, unpack, type GrpcDoor } from './grpc-helpers';
import { GDC, PLATFORM_SCOPE, PUBLIC, SHAPES, api, created, createdJob, expectEnvelope, mint, serverFor, state } from './helpers';

const { status: S } = grpc;
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
/** A parent of its own, so that lists see only the test's operations on the shared server. */
const freshParent = () => `projects/p/locations/l-${randomUUID().slice(0, 8)}`;

test.describe('one backend behind both doors', () => {
  test('an operation created over gRPC runs with BatchTranslateDocumentMetadata; cancel is Empty; it ends done, error.code 1, on both doors', async ({ ref, connect }) => {
    const door = await connect(ref);
    const op = await door.create(PUBLIC);
    expect(op.name).toMatch(/^projects\/p\/locations\/us-central1\/operations\/[0-9a-f-]{36}$/);
    expect([op.done ?? false, op.result]).toEqual([false, undefined]);
    const metadata = unpack(op.metadata);
    expect(metadata).toMatchObject({ '@type': METADATA_TYPE, state: 'RUNNING', totalPages: '2400' });

    expect(await door.call('cancelOperation', { name: op.name })).toEqual({ code: S.OK, value: {} });
    const done = await door.until(op.name, (o) => o?.done);
    expect(done).toMatchObject({ name: op.name, done: true, result: 'error', error: { code: 1 } });
    expect(unpack(done.metadata).state).toBe('CANCELLED');

    const rest = (await (await api(ref)).get(op.name)).json;
    expect(rest).toMatchObject({ name: op.name, done: true, error: { code: 1, message: done.error.message }, metadata: { state: 'CANCELLED' } });
    expect(rest.metadata.submitTime).toBe(rfc3339(metadata.submitTime));
    expect(rest).not.toHaveProperty('response');
  });

  for (const parent of SHAPES) {
    test(`a ${parent} operation created over REST is read and cancelled over gRPC, and reads cancelled over REST`, async ({ ref, connect }) => {
      const [a, door] = [await api(ref), await connect(ref)];
      const name = await created(a, parent);
      expect((await door.call('getOperation', { name })).value).toMatchObject({ name });
      expect(await door.call('cancelOperation', { name })).toEqual({ code: S.OK, value: {} });
      expect(await a.until(name, (o) => o.done)).toMatchObject({ done: true, error: { code: 1 }, metadata: { state: 'CANCELLED' } });
    });
  }

  test('ListOperations pages and filters; WaitOperation returns at its timeout, or at once when done; DeleteOperation removes', async ({ ref, connect }) => {
    const door = await connect(ref);
    const parent = freshParent();
    const [first, second] = [await door.create(parent), await door.create(parent)];
    const page = await door.call('listOperations', { name: parent, pageSize: 1 });
    expect(page.value.operations.map((o: any) => o.name)).toEqual([first.name]);
    const next = await door.call('listOperations', { name: parent, pageSize: 1, pageToken: page.value.nextPageToken });
    expect(next.value.operations.map((o: any) => o.name)).toEqual([second.name]);

    const started = Date.now();
    const waited = await door.call('waitOperation', { name: first.name, timeout: { nanos: 200_000_000 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(waited.value.done ?? false).toBe(false);
    await door.call('cancelOperation', { name: first.name });
    expect((await door.call('waitOperation', { name: first.name, timeout: { seconds: 5 } })).value).toMatchObject({ done: true, error: { code: 1 } });
    const finished = await door.call('listOperations', { name: parent, filter: 'done=true' });
    expect(finished.value.operations.map((o: any) => o.name)).toEqual([first.name]);

    expect(await door.call('deleteOperation', { name: second.name })).toEqual({ code: S.OK, value: {} });
    expect((await door.call('getOperation', { name: second.name })).code).toBe(S.NOT_FOUND);
  });
});

test.describe('refusals: the code table, details in grpc-status-details-bin', () => {
  test('no token: UNAUTHENTICATED with an ErrorInfo CREDENTIALS_MISSING, and the refused cancel changes nothing', async ({ ref, connect }) => {
    const door = await connect(ref);
    const op = await door.create(GDC);
    const refused = await door.call('cancelOperation', { name: op.name }, { token: null });
    expect(refused).toMatchObject({ code: S.UNAUTHENTICATED, message: expect.stringContaining('missing required authentication credential') });
    expect(refused.status).toMatchObject({ code: 16, message: refused.message });
    expect(errorInfo(refused)).toMatchObject({ reason: 'CREDENTIALS_MISSING', domain: 'googleapis.com', metadata: { method: 'google.longrunning.Operations.CancelOperation' } });
    expect((await door.call('getOperation', { name: op.name }, { token: 'not.a.jwt' })).code).toBe(S.UNAUTHENTICATED);
    expect(unpack((await door.call('getOperation', { name: op.name })).value.metadata).state).toBe('RUNNING');
  });

  test('a token without either scope: PERMISSION_DENIED (ACCESS_TOKEN_SCOPE_INSUFFICIENT); the cloud-platform scope alone is enough', async ({ ref, connect }) => {
    const door = await connect(ref);
    const op = await door.create(GDC);
    const readOnly = await mint(ref, `${PLATFORM_SCOPE}.read-only`);
    const refused = await door.call('cancelOperation', { name: op.name }, { token: readOnly });
    expect(refused.code).toBe(S.PERMISSION_DENIED);
    expect(errorInfo(refused)).toMatchObject({ reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', domain: 'googleapis.com' });
    expect(await door.call('cancelOperation', { name: op.name }, { token: await mint(ref, PLATFORM_SCOPE) })).toEqual({ code: S.OK, value: {} });
  });

  test('an unknown name is NOT_FOUND on every method; a finished operation refuses a cancel with FAILED_PRECONDITION', async ({ ref, connect }) => {
    const door = await connect(ref);
    const unknown = `${PUBLIC}/operations/${randomUUID()}`;
    for (const method of ['getOperation', 'cancelOperation', 'deleteOperation', 'waitOperation'] as const) {
      expect((await door.call(method, { name: unknown })).code, method).toBe(S.NOT_FOUND);
    }
    const quick = await door.create(GDC, 'quick');
    await door.until(quick.name, (o) => o.done);
    const refused = await door.call('cancelOperation', { name: quick.name });
    expect(refused.code).toBe(S.FAILED_PRECONDITION);
    expect((await door.call('getOperation', { name: quick.name })).value).toMatchObject({ done: true, result: 'response' });
  });

  test('garbage gets a status, never a crash: malformed names, bad fields, undecodable bytes', async ({ ref, connect }) => {
    const door = await connect(ref);
    const op = await door.create(GDC);
    for (const name of ['', 'garbage', '/', `${op.name}/x`, `${op.name}:cancel`, 'projects/p/operations/a b', 'projects/../operations/x', 'projects/p/operations/ü', `projects/p/operations/${'x'.repeat(5000)}`]) {
      const r = await door.call('cancelOperation', { name });
      expect([S.INVALID_ARGUMENT, S.NOT_FOUND], `${name.slice(0, 40)}: ${r.message}`).toContain(r.code);
    }
    const invalid = await door.call('batchTranslateDocument', { parent: GDC });
    expect(invalid.code).toBe(S.INVALID_ARGUMENT);
    expect(invalid.status?.details.find((d: any) => d['@type'] === 'type.googleapis.com/google.rpc.BadRequest').fieldViolations.length).toBeGreaterThan(0);
    expect((await door.call('listOperations', { name: GDC, pageToken: 'not-a-token' })).code).toBe(S.INVALID_ARGUMENT);
    expect((await door.call('listOperations', { name: GDC, filter: 'state=RUNNING' })).code).toBe(S.INVALID_ARGUMENT);
    expect((await door.call('waitOperation', { name: op.name, timeout: { seconds: -1 } })).code).toBe(S.INVALID_ARGUMENT);

    const raw = new grpc.Client(ref.grpcAddress!, grpc.credentials.createInsecure());
    const bytes = await new Promise<grpc.ServiceError | null>((resolve) =>
      raw.makeUnaryRequest('/google.longrunning.Operations/GetOperation', () => Buffer.from([0xff, 0xff, 0xff, 0xff]), (b: Buffer) => b, {}, (err) => resolve(err)),
    );
    raw.close();
    expect(bytes?.code).toBe(S.INTERNAL);
    expect(unpack((await door.call('getOperation', { name: op.name })).value.metadata).state).toBe('RUNNING');
  });

  test('methods a profile does not serve are UNIMPLEMENTED', async ({ ref, connect }) => {
    const door = await connect(ref);
    const r = await door.call('translateText', { parent: GDC, contents: ['x'], targetLanguageCode: 'de' });
    expect(r).toMatchObject({ code: S.UNIMPLEMENTED, message: 'Method not implemented: google.cloud.translation.v3.TranslationService.TranslateText' });
    // The generic-lro profile's create: a conformant server does not route it.
    expect(await door.call('runJob', { durationMs: 600_000 })).toMatchObject({ code: S.UNIMPLEMENTED, message: 'Method not implemented: conformance.jobs.v1.JobService.RunJob' });
  });
});

test.describe('profiles: the gRPC door behaves like the REST door', () => {
  test.describe('unimplemented', () => {
    const ref = serverFor({ profile: 'unimplemented' });
    test('CancelOperation is UNIMPLEMENTED (12), as REST answers 501; the operation runs on', async ({ connect }) => {
      const door = await connect(ref());
      const op = await door.create(PUBLIC);
      const r = await door.call('cancelOperation', { name: op.name });
      expect(r).toMatchObject({ code: S.UNIMPLEMENTED, message: 'Method not implemented: google.longrunning.Operations.CancelOperation' });
      expect(errorInfo(r)).toMatchObject({ reason: 'METHOD_NOT_IMPLEMENTED' });
      expectEnvelope(await (await api(ref())).cancel(op.name), 501, 'UNIMPLEMENTED');
      expect(unpack((await door.call('getOperation', { name: op.name })).value.metadata).state).toBe('RUNNING');
    });
  });

  test.describe('generic-lro', () => {
    const ref = serverFor({ profile: 'generic-lro' });
    test('Operations work over gRPC without a token; BatchTranslateDocument and WaitOperation are UNIMPLEMENTED', async ({ connect }) => {
      const door = await connect(ref());
      const name = await createdJob(await api(ref(), null));
      expect((await door.call('getOperation', { name }, { token: null })).value).toEqual({ name, done: false });
      expect((await door.call('listOperations', {}, { token: null })).value.operations.map((o: any) => o.name)).toContain(name);
      expect(await door.call('cancelOperation', { name }, { token: 'garbage' })).toEqual({ code: S.OK, value: {} });
      expect(await door.until(name, (o) => o.done)).toEqual({ name, done: true, result: 'error', error: { code: 1, message: expect.any(String) } });
      expect((await door.call('batchTranslateDocument', { parent: GDC })).code).toBe(S.UNIMPLEMENTED);
      expect((await door.call('waitOperation', { name })).code).toBe(S.UNIMPLEMENTED);
    });

    test('its own proto (fixtures/protos, conformance.jobs.v1.JobService): RunJob creates operations/{id}; cancel is Empty; it ends done, error.code 1, on both doors', async ({ connect }) => {
      const door = await connect(ref());
      const run = await door.call('runJob', { durationMs: 600_000 }, { token: null });
      expect(run).toEqual({ code: S.OK, value: { name: expect.stringMatching(/^operations\/[0-9a-f-]{36}$/), done: false } });
      const { name } = run.value;
      expect(await door.call('cancelOperation', { name }, { token: null })).toEqual({ code: S.OK, value: {} });
      expect(await door.until(name, (o) => o?.done)).toEqual({ name, done: true, result: 'error', error: { code: 1, message: expect.any(String) } });
      expect((await (await api(ref(), null)).get(name)).json).toMatchObject({ name, done: true, error: { code: 1 } });

      const quick = (await door.call('runJob', { durationMs: 300 }, { token: null })).value;
      expect(await door.until(quick.name, (o) => o?.done)).toMatchObject({ name: quick.name, done: true, result: 'response' });
      expect((await door.call('listOperations', {}, { token: null })).value.operations.map((o: any) => o.name)).toEqual(expect.arrayContaining([name, quick.name]));
      const invalid = await door.call('runJob', { durationMs: '-1' }, { token: null });
      expect(invalid.code).toBe(S.INVALID_ARGUMENT);
    });
  });

  test.describe('google-faithful', () => {
    const ref = serverFor({ profile: 'google-faithful' });
    test('a name no route fits (REST: the HTML 404 page) is NOT_FOUND, never UNIMPLEMENTED', async ({ connect }) => {
      const door = await connect(ref());
      expect((await (await api(ref())).get('projects/p/locations/l/operations/a/b')).headers.get('content-type')).toContain('text/html');
      const r = await door.call('getOperation', { name: 'projects/p/locations/l/operations/a/b' });
      expect(r.code).toBe(S.NOT_FOUND);
      expect(r.message).toBe('Not Found: GET /v3/projects/p/locations/l/operations/a/b');
    });
  });

  test.describe('rbac-zone', () => {
    const ref = serverFor({ profile: 'rbac-zone' });
    test('a project without a role is PERMISSION_DENIED before any lookup; a malformed ID is INVALID_ARGUMENT', async ({ connect }) => {
      const door = await connect(ref());
      const refused = await door.call('getOperation', { name: `projects/elsewhere/operations/${randomUUID()}` });
      expect(refused.code).toBe(S.PERMISSION_DENIED);
      expect(errorInfo(refused)).toMatchObject({ reason: 'IAM_PERMISSION_DENIED' });
      expect((await door.call('cancelOperation', { name: 'projects/conformance/operations/not-an-id' })).code).toBe(S.INVALID_ARGUMENT);
    });
  });
});

test.describe('the zone front end on the gRPC door', () => {
  const CODES = { 'json-503': S.UNAVAILABLE, 'proxy-503': S.UNAVAILABLE, 'html-502': S.UNAVAILABLE, '429': S.RESOURCE_EXHAUSTED, reset: S.UNAVAILABLE } as const;
  test('each transient answer maps to a retryable status (a reset drops the call); creates are spared', async () => {
    for (const [kind, code] of Object.entries(CODES)) {
      const ref = await startReferenceServer({ cancelDelayMs: 0, transientRate: 1, transientKinds: [kind as keyof typeof CODES] });
      const door = await openDoor(ref);
      try {
        const op = await door.create(GDC);
        const r = await door.call('getOperation', { name: op.name });
        expect(r.code, kind).toBe(code);
        if (kind === 'reset') expect(r.message).toBe('Stream refused by server');
      } finally {
        door.close();
        await ref.close();
      }
    }
  });

  const seeded = serverFor({ transientRate: 0.5, transientKinds: ['json-503'], transientSeed: 7 });
  test('the same seed makes both doors flaky in the same pattern', async ({ connect }) => {
    const [a, door] = [await api(seeded()), await connect(seeded())];
    const name = await created(a, GDC);
    const rest: boolean[] = [];
    const viaGrpc: boolean[] = [];
    for (let i = 0; i < 12; i++) rest.push((await a.get(name)).status === 503);
    for (let i = 0; i < 12; i++) viaGrpc.push((await door.call('getOperation', { name })).code === S.UNAVAILABLE);
    expect(rest.filter(Boolean).length).toBeGreaterThan(0);
    expect(viaGrpc).toEqual(rest);
  });
});

test.describe('faults per door', () => {
  const cancelledOn = async (door: GrpcDoor, name: string) => door.until(name, (o) => o?.done);

  test.describe('grpc-cancelled-code-unknown', () => {
    const ref = serverFor({ faults: ['grpc-cancelled-code-unknown'] });
    test('a cancelled operation reads error.code 2 over gRPC, 1 over REST', async ({ connect }) => {
      const [a, door] = [await api(ref()), await connect(ref())];
      const op = await door.create(GDC);
      await door.call('cancelOperation', { name: op.name });
      expect((await cancelledOn(door, op.name)).error.code).toBe(2);
      expect((await a.get(op.name)).json.error.code).toBe(1);
    });
  });

  test.describe('grpc-unimplemented-as-unknown', () => {
    const ref = serverFor({ profile: 'unimplemented', faults: ['grpc-unimplemented-as-unknown'] });
    test('UNIMPLEMENTED goes out as UNKNOWN over gRPC (the trailer too); REST still answers 501', async ({ connect }) => {
      const door = await connect(ref());
      const op = await door.create(GDC);
      const r = await door.call('cancelOperation', { name: op.name });
      expect([r.code, r.status?.code]).toEqual([S.UNKNOWN, 2]);
      expect((await door.call('translateText', {})).code).toBe(S.UNKNOWN);
      expectEnvelope(await (await api(ref())).cancel(op.name), 501, 'UNIMPLEMENTED');
    });
  });

  test.describe('grpc-auth-as-internal', () => {
    const ref = serverFor({ faults: ['grpc-auth-as-internal'] });
    test('missing, invalid and under-scoped tokens get INTERNAL over gRPC; REST still answers 401 and 403', async ({ connect }) => {
      const door = await connect(ref());
      const op = await door.create(GDC);
      for (const token of [null, 'not.a.jwt', await mint(ref(), 'openid')]) {
        expect((await door.call('cancelOperation', { name: op.name }, { token })).code).toBe(S.INTERNAL);
      }
      expectEnvelope(await (await api(ref(), null)).cancel(op.name), 401, 'UNAUTHENTICATED');
      expectEnvelope(await (await api(ref(), await mint(ref(), 'openid'))).cancel(op.name), 403, 'PERMISSION_DENIED');
    });
  });

  test.describe('grpc-cancel-ignored', () => {
    const ref = serverFor({ faults: ['grpc-cancel-ignored'] });
    test('CancelOperation answers Empty and the operation runs on; a REST cancel cancels', async ({ connect }) => {
      const [a, door] = [await api(ref()), await connect(ref())];
      const op = await door.create(GDC);
      expect(await door.call('cancelOperation', { name: op.name })).toEqual({ code: S.OK, value: {} });
      expect(state((await a.wait(op.name, '0.3s')).json)).toBe('RUNNING');
      expect((await door.call('cancelOperation', { name: `${GDC}/operations/${randomUUID()}` })).code).toBe(S.NOT_FOUND);
      await a.cancel(op.name);
      expect((await cancelledOn(door, op.name)).error.code).toBe(1);
    });
  });

  test.describe('grpc-rejects-rest-names', () => {
    const ref = serverFor({ faults: ['grpc-rejects-rest-names'] });
    test('a name the REST door returned is NOT_FOUND over gRPC and not listed; gRPC names work on both doors', async ({ connect }) => {
      const [a, door] = [await api(ref()), await connect(ref())];
      const parent = freshParent();
      const viaRest = await created(a, parent);
      const viaGrpc = (await door.create(parent)).name;
      expect((await door.call('getOperation', { name: viaRest })).code).toBe(S.NOT_FOUND);
      expect((await door.call('cancelOperation', { name: viaRest })).code).toBe(S.NOT_FOUND);
      expect((await door.call('listOperations', { name: parent })).value.operations.map((o: any) => o.name)).toEqual([viaGrpc]);
      expect(state((await a.get(viaRest)).json)).toBe('RUNNING');
      expect((await a.get(viaGrpc)).status).toBe(200);
    });
  });

  test.describe('REST-only faults stay on REST, backend faults show on both', () => {
    const ref = serverFor({ faults: ['cancelled-code-string', 'empty-object-rejected', 'no-www-authenticate', 'cancel-reaches-previous'] });
    test('the gRPC cancel is accepted and reads code 1 while REST refuses {} and writes "CANCELLED"; the neighbour is cancelled on both', async ({ connect }) => {
      const [a, door] = [await api(ref()), await connect(ref())];
      const parent = freshParent();
      const [previous, op] = [await door.create(parent), await door.create(parent)];
      expectEnvelope(await a.cancel(op.name), 400, 'INVALID_ARGUMENT');
      expect(await door.call('cancelOperation', { name: op.name })).toEqual({ code: S.OK, value: {} });
      expect((await cancelledOn(door, op.name)).error.code).toBe(1);
      expect((await a.get(op.name)).json.error.code).toBe('CANCELLED');
      expect((await cancelledOn(door, previous.name)).error.code).toBe(1);
    });
  });

  test.describe('forged-token-reset (both doors)', () => {
    const ref = serverFor({ faults: ['forged-token-reset'] });
    test('a forged token drops the gRPC call (UNAVAILABLE, no status from the server)', async ({ connect }) => {
      const door = await connect(ref());
      const r = await door.call('getOperation', { name: `${GDC}/operations/${randomUUID()}` }, { token: 'not.a.jwt' });
      expect([r.code, r.message, r.status]).toEqual([S.UNAVAILABLE, 'Stream refused by server', undefined]);
    });
  });
});

test.describe('TLS: the REST door certificate on the gRPC door', () => {
  /** The certificate a door presents (ALPN h2 for gRPC). */
  const fingerprint = (port: number, ca: string, h2: boolean) =>
    new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, ca, ...(h2 ? { ALPNProtocols: ['h2'] } : {}) }, () => {
        resolve(socket.getPeerCertificate().fingerprint256);
        socket.destroy();
      }).once('error', reject);
    });

  test('TLS: the same certificate on both doors; a client trusting the CA gets in, a plaintext one does not', async () => {
    const { pem } = await certFiles();
    const ref = await startReferenceServer({ cancelDelayMs: 0, tls: { key: pem.server.key, cert: pem.server.cert } });
    try {
      expect(ref.grpcPlaintext).toBe(false);
      const port = (address: string) => Number(address.split(':').at(-1));
      expect(await fingerprint(port(ref.grpcAddress!), pem.ca, true)).toBe(await fingerprint(port(new URL(ref.baseUrl).host), pem.ca, false));
      const door = await openDoor(ref, grpc.credentials.createSsl(Buffer.from(pem.ca)));
      const plain = await openDoor(ref, grpc.credentials.createInsecure(), door.token);
      try {
        const op = await door.create(PUBLIC);
        expect(await door.call('cancelOperation', { name: op.name })).toEqual({ code: S.OK, value: {} });
        expect((await plain.call('getOperation', { name: op.name }, { deadlineMs: 2000 })).code).not.toBe(S.OK);
      } finally {
        door.close();
        plain.close();
      }
    } finally {
      await ref.close();
    }
  });

  test('mTLS: a client certificate from the CA is required', async () => {
    const { pem } = await certFiles();
    const ref = await startReferenceServer({ cancelDelayMs: 0, tls: { key: pem.server.key, cert: pem.server.cert, ca: pem.ca, requestClientCert: true } });
    try {
      const ca = Buffer.from(pem.ca);
      const withCert = await openDoor(ref, grpc.credentials.createSsl(ca, Buffer.from(pem.client.key), Buffer.from(pem.client.cert)));
      const without = await openDoor(ref, grpc.credentials.createSsl(ca), withCert.token);
      try {
        expect((await withCert.call('listOperations', { name: GDC })).code).toBe(S.OK);
        expect((await without.call('listOperations', { name: GDC }, { deadlineMs: 2000 })).code).not.toBe(S.OK);
      } finally {
        withCert.close();
        without.close();
      }
    } finally {
      await ref.close();
    }
  });
});

test.describe('switches and lifecycle', () => {
  test('REFERENCE_GRPC and REFERENCE_GRPC_PORT: on by default on an ephemeral port; off; a fixed port; bad values name the variable', async () => {
    expect(optionsFromEnv({})).toMatchObject({ grpc: true, grpcPort: 0 });
    expect(optionsFromEnv({ REFERENCE_GRPC: 'false', REFERENCE_GRPC_PORT: '50051' })).toMatchObject({ grpc: false, grpcPort: 50051 });
    expect(() => optionsFromEnv({ REFERENCE_GRPC: 'no' })).toThrow(ReferenceConfigError);
    expect(() => optionsFromEnv({ REFERENCE_GRPC_PORT: '70000' })).toThrow(/REFERENCE_GRPC_PORT/);
    const off = await startReferenceServer({ grpc: false });
    expect([off.grpcAddress, off.grpcPlaintext]).toEqual([undefined, undefined]);
    await off.close();
    const on = await startReferenceServer();
    expect(on.grpcAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(on.grpcPlaintext).toBe(true);
    await on.close();
    const port = await freePort();
    const fixed = await startReferenceServer({ grpcPort: port });
    expect(fixed.grpcAddress).toBe(`127.0.0.1:${port}`);
    await fixed.close();
  });

  test('a client deadline ends a WaitOperation; close() ends a pending one at once', async () => {
    const ref: RunningReference = await startReferenceServer({ cancelDelayMs: 0 });
    const door = await openDoor(ref);
    try {
      const op = await door.create(GDC);
      expect((await door.call('waitOperation', { name: op.name, timeout: { seconds: 20 } }, { deadlineMs: 300 })).code).toBe(S.DEADLINE_EXCEEDED);
      const pending = door.call('waitOperation', { name: op.name, timeout: { seconds: 20 } });
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      await ref.close();
      expect(Date.now() - started).toBeLessThan(1500);
      expect((await pending).code).toBe(S.OK);
    } finally {
      door.close();
    }
  });
});
