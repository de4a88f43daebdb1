// One check with the official Node client (gax REST fallback) against the reference server.
import { v3 } from '@google-cloud/translate';
import { OAuth2Client } from 'google-auth-library';
import { TRANSLATION_SCOPE, expect, fixture, mint, test } from './helpers';

test('official client: batchTranslateDocument, cancel, progress ends with code 1', async ({ ref }) => {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: await mint(ref, TRANSLATION_SCOPE), expiry_date: Date.now() + 3_600_000 });
  const port = Number(new URL(ref.baseUrl).port);
  const client = new v3.TranslationServiceClient({ apiEndpoint: '127.0.0.1', port, protocol: 'http', fallback: true, authClient: authClient as never });
  try {
    const [operation] = await client.batchTranslateDocument({ parent: 'projects/p/locations/us-central1', ...JSON.parse(fixture('long')) }, { retry: null } as never);
    expect(operation.name).toMatch(/^projects\/p\/locations\/us-central1\/operations\//);
    await client.cancelOperation({ name: operation.name! } as never, { retry: null } as never);
    const deadline = Date.now() + 5000;
    let error: { code?: number } | undefined | null;
    while (Date.now() < deadline) {
      const checked = await client.checkBatchTranslateDocumentProgress(operation.name!);
      if (checked.done) {
        error = checked.error as { code?: number } | null;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(error?.code).toBe(1);
  } finally {
    await client.close();
  }
});
