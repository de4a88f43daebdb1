// Issue 23: `TRANSPORTS=grpc npm run conformance` against a plaintext gRPC door, with no REST
// setting at all: every request goes through gRPC, and the run is judged on that door alone.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startReferenceServer } from '../../reference-server/index';
import { runConformance } from '../matrix/run-conformance';

test('a gRPC-only target: CONFORMANT with TARGET_GRPC_ADDRESS alone, no REST request sent, replays in grpcurl', async () => {
  test.setTimeout(120_000);
  const reference = await startReferenceServer({ cancelDelayMs: 150 });
  try {
    const run = await runConformance({
      TARGET_GRPC_ADDRESS: reference.grpcAddress!,
      TARGET_GRPC_PLAINTEXT: 'true',
      TRANSPORTS: 'grpc',
      TARGET_PARENT: 'projects/conformance',
      AUTH_TOKEN_URL: reference.tokenUrl,
      AUTH_CLIENT_ID: 'selftest',
      AUTH_CLIENT_SECRET: 'selftest',
      CANCEL_SETTLE_TIMEOUT: '6',
      QUIET_PERIOD: '0.5',
    });
    expect(run.summary?.verdict, run.output.slice(-3000)).toBe('conformant');
    expect(run.exitCode).toBe(0);
    const byId = new Map(run.summary!.requirements.map((r) => [r.id, r]));
    // The REST-only rules and parity say why they do not apply; the rest was judged over gRPC.
    expect(byId.get('cancel.request.unknown-field')?.status).toBe('not-applicable');
    expect(byId.get('cancel.request.unknown-field')?.reason).toMatch(/^on the gRPC door: a gRPC request is a binary CancelOperationRequest/);
    expect(byId.get('cancel.transport.parity')?.reason).toMatch(/this run has only grpc/);
    expect(byId.get('cancel.outcome.error-code')?.status).toBe('passed');
    expect(run.output).not.toContain(reference.baseUrl);
    // Every exchange's evidence replays it with grpcurl; none is an HTTP exchange.
    const dir = join(run.dir, 'allure-results');
    const transcripts = readdirSync(dir).filter((f) => f.endsWith('-attachment.txt')).map((f) => readFileSync(join(dir, f), 'utf8'));
    expect(transcripts.length).toBeGreaterThan(20);
    for (const t of transcripts) {
      expect(t).toMatch(/^gRPC google\.(longrunning\.Operations|cloud\.translation\.v3\.TranslationService)\/\w+ at 127\.0\.0\.1:\d+ \(plaintext\)/);
      expect(t.split('\n').at(-1)).toMatch(/^grpcurl (-H "authorization: Bearer [^"]+" )?-plaintext -import-path '[^']*google-proto-files' -proto google\/\S+\.proto -d '.*' 127\.0\.0\.1:\d+ google\.\S+\/\w+$/);
    }
    const environment = JSON.parse(readFileSync(join(run.dir, 'reports/run-environment.json'), 'utf8')) as { target: string };
    expect(environment.target).toBe(`grpc://${reference.grpcAddress}`);
  } finally {
    await reference.close();
  }
});
