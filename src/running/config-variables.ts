// Every public variable the suite reads, with its default as the README states it, for
// `npm run config`. selftest/ci/config-command.spec.ts fails when src/running/config.ts,
// reference-server/options.ts or src/judging/gate-files.ts read a name that is missing here.

import leven from 'leven';

export interface Variable {
  readonly name: string;
  /** What applies when it is unset, in words; undefined: nothing (the feature is off). */
  readonly default?: string;
  /** Its value is never printed. */
  readonly secret?: true;
}

const v = (name: string, fallback?: string, secret?: true): Variable => ({ name, ...(fallback ? { default: fallback } : {}), ...(secret ? { secret } : {}) });

export const VARIABLE_GROUPS: readonly { readonly title: string; readonly variables: readonly Variable[] }[] = [
  {
    title: 'target',
    variables: [
      v('TARGET_PRESET'),
      v('TARGET_PROJECT'),
      v('TARGET_LOCATION', 'us-central1 (with TARGET_PRESET=cloud)'),
      v('TARGET_BASE_URL', 'the embedded reference server (when TARGET_GRPC_ADDRESS is unset too)'),
      v('TARGET_GRPC_ADDRESS', 'none: no gRPC door (the embedded reference server serves one)'),
      v('TARGET_GRPC_PLAINTEXT', 'false (TLS, trusting TARGET_CA_FILE)'),
      v('TRANSPORTS', 'every door that is configured: rest, grpc or rest,grpc'),
      v('TARGET_API_PREFIX', '/v3'),
      v('TARGET_PARENT', 'projects/conformance (embedded only)'),
      v('TARGET_OTHER_PARENT', "none: the cross-parent check swaps in a made-up project (the rbac-zone and live-zone profiles publish their second project)"),
      v('TARGET_HEADERS', '{}'),
      v('TARGET_CA_FILE'),
      v('TARGET_CLIENT_CERT'),
      v('TARGET_CLIENT_KEY'),
      v('TARGET_CLIENT_KEY_PASSPHRASE', undefined, true),
      v('TARGET_TLS_INSECURE', 'false'),
      // Proxy URLs may carry credentials (http://user:password@host): their values are not printed.
      ...['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'].map((name) => v(name, undefined, true)),
      v('NO_PROXY'),
      v('no_proxy'),
      v('TARGET_LIST_PATH', '{TARGET_API_PREFIX}/{parent of the name}/operations'),
      v('OPERATION_CREATE_PATH', '{TARGET_API_PREFIX}/{TARGET_PARENT}:batchTranslateDocument'),
      v('OPERATION_CREATE_BODY', 'fixtures/batch-translate-long.json'),
      v('OPERATION_CREATE_BODY_QUICK', 'fixtures/batch-translate-quick.json'),
      v('OPERATION_CREATE_GRPC_METHOD', 'google.cloud.translation.v3.TranslationService/BatchTranslateDocument'),
      v('GRPC_PROTO_PATH', "none: google-proto-files' operations and Translation protos"),
    ],
  },
  {
    title: 'credentials',
    variables: [
      v('AUTH_MODE', 'oauth'),
      v('AUTH_TOKEN_TRANSLATION', undefined, true),
      v('AUTH_TOKEN_PLATFORM', undefined, true),
      v('AUTH_TOKEN_INSUFFICIENT', undefined, true),
      v('AUTH_TOKEN_EXPIRED', undefined, true),
      v('AUTH_TOKEN_COMMAND'),
      v('AUTH_TOKEN_COMMAND_TRANSLATION'),
      v('AUTH_TOKEN_COMMAND_PLATFORM'),
      v('AUTH_TOKEN_COMMAND_INSUFFICIENT'),
      v('AUTH_TOKEN_COMMAND_TTL', '300'),
      v('AUTH_TOKEN_COMMAND_TIMEOUT', '30'),
      v('GOOGLE_APPLICATION_CREDENTIALS'),
      v('AUTH_TOKEN_URL', 'the embedded issuer (embedded only)'),
      v('AUTH_CLIENT_ID'),
      v('AUTH_CLIENT_SECRET', undefined, true),
      v('SCOPE_CHECKS', 'enforced'),
      v('SCOPE_CHECKS_REASON'),
    ],
  },
  {
    title: 'behaviour',
    variables: [
      v('CANCEL_SUPPORT', 'auto'),
      v('WAIT_SUPPORT', 'auto'),
      v('LIST_SUPPORT', 'auto'),
      v('CANCEL_SETTLE_TIMEOUT', '30'),
      v('CANCEL_ATTEMPTS', '3'),
      v('CONFORMANCE_MAX_OPERATIONS', '10 for one door, 14 for both'),
      v('REQUEST_TIMEOUT', '15'),
      v('RETRY_MAX_ATTEMPTS', '8'),
      v('RETRY_MAX_SECONDS', '30'),
      v('QUIET_PERIOD', '1'),
      v('FINISHED_CANCEL_POLICY', 'either'),
      v('ERROR_FORM', 'envelope'),
      v('ALLOW_DONE_WITHOUT_RESULT', 'false'),
      v('CONFORMANCE_WORKERS', '1'),
      v('CONFORMANCE_STRICT', 'none: partial, variables or both (comma-separated)'),
    ],
  },
  {
    title: 'files, outputs and gate',
    variables: [
      v('DOTENV_CONFIG_PATH', '.env'),
      v('REPORTS_DIR', 'reports'),
      v('ALLURE_RESULTS_DIR', 'allure-results'),
      v('ALLURE_HISTORY_PATH', '{REPORTS_DIR}/history/allure-history.jsonl'),
      v('MERGE_SHARDS_DIR', '{REPORTS_DIR}/shards'),
      v('CONFORMANCE_BASELINE'),
      v('CONFORMANCE_PREVIOUS_SUMMARY'),
      v('PORT', 'a free port (npm run report:open)'),
    ],
  },
  {
    title: 'embedded reference server',
    variables: [
      v('REFERENCE_PROFILE', 'conformant'),
      v('REFERENCE_FAULTS', 'none'),
      v('REFERENCE_PORT', '0 (a free port)'),
      v('REFERENCE_GRPC', 'true (its gRPC door is open)'),
      v('REFERENCE_GRPC_PORT', '0 (a free port)'),
      v('REFERENCE_CANCEL_DELAY_MS', "the profile's"),
      v('REFERENCE_FINISHED_CANCEL', "the profile's (failed-precondition)"),
      v('REFERENCE_MAX_OPERATIONS', '100000'),
      v('REFERENCE_AUDIENCE', 'https://translation.reference.test'),
      v('REFERENCE_TLS_CERT', 'plain HTTP'),
      v('REFERENCE_TLS_KEY'),
      v('REFERENCE_TLS_CLIENT_CA', 'no client certificate asked'),
      v('REFERENCE_TRANSIENT_RATE', "the profile's (0)"),
      v('REFERENCE_TRANSIENT_KINDS', 'json-503,proxy-503,html-502,429,reset'),
      v('REFERENCE_RETRY_AFTER', "the profile's (1)"),
      v('REFERENCE_TRANSIENT_SEED', '1'),
      v('REFERENCE_LATENCY_JITTER_MS', "the profile's (0)"),
      v('REFERENCE_CONTROLLER_LAG_MS', "the profile's (0)"),
      v('REFERENCE_METADATA_AHEAD_MS', "the profile's (0)"),
      v('REFERENCE_LIST_LAG_MS', "the profile's (0)"),
      v('REFERENCE_STRICT_IDS', "the profile's (false)"),
      v('REFERENCE_PROJECTS', "the profile's (every project)"),
    ],
  },
];

export const VARIABLES: readonly Variable[] = VARIABLE_GROUPS.flatMap((g) => g.variables);

// Names that look like the suite's but are not read by it: usually a typo.
// GRPC_ alone is grpc's own (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, GRPC_TRACE): only the suite's GRPC_PROTO names count.
const OURS = /^(TARGET|AUTH|CANCEL|REFERENCE|SCOPE|OPERATION|CONFORMANCE|RETRY|GRPC_PROTO|TRANSPORTS?|QUIET|WAIT|LIST|ALLOW|ERROR|FINISHED)_?/;
const KNOWN = new Set(VARIABLES.map((v) => v.name));
// Variables the suite sets for itself (the wrapper, the global setup, the workers): never a user's typo.
const INTERNAL = /^CONFORMANCE_(EMBEDDED|CANCEL_SUPPORT|PROBE|TOKEN|TLS|LEDGER|TEARDOWN|LEFT|RELEASE|SHARD|REPORT|RUN)/;

/** A name the suite does not read, and the variable it most likely meant (by edit distance), if any is close. */
export interface UnknownVariable {
  readonly name: string;
  readonly meant?: string;
}

/** `environment`: only names that look like the suite's; `dotenv`: every name (a .env file holds the suite's settings alone). */
export function unknownVariables(environment: Iterable<string>, dotenv: Iterable<string> = []): UnknownVariable[] {
  const names = new Set([...[...environment].filter((n) => OURS.test(n)), ...dotenv]);
  return [...names].filter((n) => !KNOWN.has(n) && !INTERNAL.test(n)).sort().map((name) => {
    const [meant, distance] = VARIABLES.map((v) => [v.name, leven(name, v.name)] as const).reduce((a, b) => (b[1] < a[1] ? b : a));
    return distance <= Math.max(2, Math.floor(name.length / 5)) ? { name, meant } : { name };
  });
}

/** "AUTH_TOKEN_PLATFROM is not a variable the suite reads; did you mean AUTH_TOKEN_PLATFORM?" */
export const describeUnknown = (u: UnknownVariable) => `${u.name} is not a variable the suite reads${u.meant ? `; did you mean ${u.meant}?` : ''}`;
