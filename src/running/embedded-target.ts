// The embedded reference server as the run's target, and the variables that point a run at it.
// `npm run conformance` hosts it in the wrapper, started while Playwright boots (the two overlap
// on separate cores), and hands its address to the global setup through a file; a bare
// `npx playwright test` has no wrapper, so its global setup starts the server itself.
import { plannedDoors } from './config';
import { awaitPublished, publish } from './handoff';

/** The file where the wrapper publishes the embedded target; unset when nothing hosts one. */
export const EMBEDDED_TARGET_VARIABLE = 'CONFORMANCE_EMBEDDED_TARGET_FILE';

export interface EmbeddedTarget {
  /**
   * TARGET_BASE_URL (and TARGET_GRPC_ADDRESS), the issuer's client credentials (not with AUTH_MODE=none),
   * the profile, the default parent, and the suite variables the profile implies that the user did not set.
   */
  readonly variables: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** The embedded issuer's client (README "Credentials": the client-credentials source when no target is set). */
const ISSUER_CLIENT = { AUTH_CLIENT_ID: 'lro-cancel-conformance', AUTH_CLIENT_SECRET: 'embedded-reference-issuer' } as const;

export async function startEmbeddedTarget(env: NodeJS.ProcessEnv): Promise<EmbeddedTarget> {
  // Loaded here: fastify and the issuer are start-up cost that an external target never needs.
  const { optionsFromEnv, startReferenceServer } = await import('../../reference-server/index');
  // A run that judges REST alone (TRANSPORTS=rest) does not pay for a gRPC door it never calls.
  const options = optionsFromEnv(env);
  const reference = await startReferenceServer(plannedDoors(env).includes('grpc') ? options : { ...options, grpc: false });
  const set = (name: string) => env[name]?.trim() || undefined;
  // What the profile implies (generic-lro: its create path, bodies, gRPC method and protos, AUTH_MODE=none;
  // google-faithful: a parent with a location), where the user set nothing: a value they set wins.
  const implied = Object.fromEntries(Object.entries(reference.suite).filter(([name]) => set(name) === undefined));
  // AUTH_MODE=none (the user's or the profile's): nothing is authenticated, so no token is minted, sent
  // or named as a source; the issuer's client is not published.
  const authNone = (set('AUTH_MODE') ?? implied.AUTH_MODE) === 'none';
  return {
    variables: {
      TARGET_BASE_URL: reference.baseUrl,
      // Its gRPC door, on the same store (REFERENCE_GRPC=false closes it).
      ...(reference.grpcAddress ? { TARGET_GRPC_ADDRESS: reference.grpcAddress, TARGET_GRPC_PLAINTEXT: String(!!reference.grpcPlaintext) } : {}),
      ...(authNone ? {} : { AUTH_TOKEN_URL: reference.tokenUrl, ...ISSUER_CLIENT }),
      CONFORMANCE_EMBEDDED_PROFILE: [reference.profile, ...reference.faults].join('+'),
      ...implied,
      TARGET_PARENT: set('TARGET_PARENT') ?? implied.TARGET_PARENT ?? `projects/${reference.projects?.[0] ?? 'conformance'}`,
      // A zone with per-project roles: the second project the caller may use is the real cross-tenant check.
      ...(reference.projects?.[1] && !set('TARGET_OTHER_PARENT') ? { TARGET_OTHER_PARENT: `projects/${reference.projects[1]}` } : {}),
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
