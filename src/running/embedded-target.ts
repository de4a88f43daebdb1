// The embedded reference server as the run's target, and the variables that point a run at it.
// `npm run conformance` hosts it in the wrapper, started while Playwright boots (the two overlap
// on separate cores), and hands its address to the global setup through a file; a bare
// `npx playwright test` has no wrapper, so its global setup starts the server itself.
import { awaitPublished, publish } from './handoff';

/** The file where the wrapper publishes the embedded target; unset when nothing hosts one. */
export const EMBEDDED_TARGET_VARIABLE = 'CONFORMANCE_EMBEDDED_TARGET_FILE';

export interface EmbeddedTarget {
  /** TARGET_BASE_URL (and TARGET_GRPC_ADDRESS), the issuer's client credentials, the profile and the default parent. */
  readonly variables: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export async function startEmbeddedTarget(env: NodeJS.ProcessEnv): Promise<EmbeddedTarget> {
  // Loaded here: fastify and the issuer are start-up cost that an external target never needs.
  const { optionsFromEnv, startReferenceServer } = await import('../../reference-server/index');
  const reference = await startReferenceServer(optionsFromEnv(env));
  return {
    variables: {
      TARGET_BASE_URL: reference.baseUrl,
      // Its gRPC door, on the same store (REFERENCE_GRPC=false closes it).
      ...(reference.grpcAddress ? { TARGET_GRPC_ADDRESS: reference.grpcAddress, TARGET_GRPC_PLAINTEXT: String(!!reference.grpcPlaintext) } : {}),
      AUTH_TOKEN_URL: reference.tokenUrl,
      AUTH_CLIENT_ID: 'lro-cancel-conformance',
      AUTH_CLIENT_SECRET: 'embedded-reference-issuer',
      CONFORMANCE_EMBEDDED_PROFILE: [reference.profile, ...reference.faults].join('+'),
      TARGET_PARENT: env.TARGET_PARENT?.trim() || `projects/${reference.projects?.[0] ?? 'conformance'}`,
      // A zone with per-project roles: the second project the caller may use is the real cross-tenant check.
      ...(reference.projects?.[1] && !env.TARGET_OTHER_PARENT?.trim() ? { TARGET_OTHER_PARENT: `projects/${reference.projects[1]}` } : {}),
    },
    close: () => reference.close(),
  };
}

/** Starts the target and publishes it (or why it failed) to `file`, atomically. */
export async function hostEmbeddedTarget(file: string, env: NodeJS.ProcessEnv): Promise<EmbeddedTarget | undefined> {
  try {
    const target = await startEmbeddedTarget(env);
    publish(file, { variables: target.variables });
    return target;
  } catch (error) {
    publish(file, { error: `the embedded reference server did not start: ${(error as Error).message}` });
    return undefined;
  }
}

/** The global setup's side: the published variables, once the host has written them. */
export const awaitEmbeddedTarget = (file: string, timeoutMs = 60_000) => awaitPublished(file, 'the embedded reference server did not start', { timeoutMs });
