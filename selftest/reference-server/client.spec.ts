// The official Node client against the reference server: over REST (gax fallback) and over its gRPC door.
import { v3 } from '@google-cloud/translate';
import * as grpc from '@grpc/grpc-js';
import { OAuth2Client } from 'google-auth-library';
import { pollUntil } from '../../src/running/poll';
import { TRANSLATION_SCOPE, expect, fixture, mint, test } from './helpers';

/** The operation's error once `read` shows it done (within 5 s); undefined if it never is. */
async function errorOnceDone(read: () => Promise<{ done?: boolean | null; error?: unknown }>) {
  const { value } = await pollUntil(async () => {
    const op = await read();
    return op.done ? { error: op.error } : undefined;
  }, { deadlineMs: 5000, initialDelayMs: 50, maxDelayMs: 50 });
  return value?.error;
}

test('official client: batchTranslateDocument, cancel, progress ends with code 1', async ({ ref }) => {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: await mint(ref, TRANSLATION_SCOPE), expiry_date: Date.now() + 3_600_000 });
  const port = Number(new URL(ref.baseUrl).port);
  const client = new v3.TranslationServiceClient({ apiEndpoint: '127.0.0.1', port, protocol: 'http', fallback: true, authClient: authClient as never });
  try {
    const [operation] = await client.batchTranslateDocument({ parent: 'projects/p/locations/us-central1', ...JSON.parse(fixture('long')) }, { retry: null } as never);
    expect(operation.name).toMatch(/^projects\/p\/locations\/us-central1\/operations\//);
    await client.cancelOperation({ name: operation.name! } as never, { retry: null } as never);
    expect(await errorOnceDone(() => client.checkBatchTranslateDocumentProgress(operation.name!))).toMatchObject({ code: 1 });
  } finally {
    await client.close();
  }
});

test('official client over gRPC: batchTranslateDocument, cancelOperation, getOperation ends with code 1', async ({ ref }) => {
  const token = await mint(ref, TRANSLATION_SCOPE);
  const port = Number(ref.grpcAddress!.split(':')[1]);
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
  // gax hands `sslCreds` to the channel as they are (authClient then only spares it a metadata-server
  // lookup), and grpc-js cannot compose call credentials onto an insecure channel: the token goes in each call's metadata.
  const client = new v3.TranslationServiceClient({ apiEndpoint: '127.0.0.1', port, sslCreds: grpc.credentials.createInsecure(), authClient: authClient as never });
  const options = { retry: null, otherArgs: { headers: { authorization: `Bearer ${token}` } } } as never;
  try {
    const request = { parent: 'projects/p/locations/us-central1', ...JSON.parse(fixture('long')) };
    const refused = await client.batchTranslateDocument(request, { retry: null } as never).catch((e: { code?: number; reason?: string }) => e);
    expect(refused, 'the ErrorInfo of grpc-status-details-bin, as gax decodes it').toMatchObject({ code: 16, reason: 'CREDENTIALS_MISSING' });
    const [operation] = await client.batchTranslateDocument(request, options);
    expect(operation.name).toMatch(/^projects\/p\/locations\/us-central1\/operations\//);
    await client.cancelOperation({ name: operation.name! } as never, options);
    expect(await errorOnceDone(async () => (await client.getOperation({ name: operation.name! } as never, options))[0])).toMatchObject({ code: 1 });
  } finally {
    await client.close();
  }
});
