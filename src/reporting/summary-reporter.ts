// A Playwright reporter that folds test results per requirement into
// reports/conformance-summary.json and prints the verdict table.
// Being a reporter, it works the same for plain, sharded and merged runs.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import { targetLabel } from './allure-environment-reporter';
import { requirement } from '../judging/catalog';
import { formatConsole, formatShardEnd, paintFor, type Evidence } from './console-summary';
import { stepSummary } from './step-summary';
import { strictModes } from '../running/config';
import { ledgerCounts, possiblyStartedWarning, readLedger, unansweredWarning, type LateFinding } from '../running/ledger';
import { addRetries, type RetryCounts } from '../transport/retry';
import { redact } from '../credentials/redact';
import { tlsWarnings } from '../transport/tls';
import { testEvidence } from './test-evidence';
import { COUNTER_ANNOTATIONS, DOOR_ANNOTATION, coverageProblems, isFilteredRun, requirementIdsOfTags, summarize, testStatus, type TestOutcome } from '../judging/verdict';


const testKey = (t: { file: string; title: string; door?: string }) => `${t.door ?? ''}\u0000${t.file}\u0000${t.title}`;

export default class SummaryReporter implements Reporter {
  private readonly outcomes = new Map<string, TestOutcome>();
  /** What failed or unverified tests saw, for the console's Failures section and the summary. */
  private readonly evidence = new Map<string, Evidence>();
  private readonly errors: string[] = [];
  private counters = { requests: 0, operationsCreated: 0 };
  private readonly retries: RetryCounts = {};
  private rootDir = process.cwd();
  /** --shard=i/n: this run is part of one and prints no verdict (a merge of the shards has no shard: it does). */
  private shard: FullConfig['shard'] = null;

  constructor(private readonly options: { outputFile?: string } = {}) {}

  printsToStdio() {
    return true;
  }

  onBegin(config: FullConfig, suite: Suite) {
    this.rootDir = config.rootDir;
    this.shard = config.shard;
    const tests = suite.allTests().map((t) => ({ title: t.title, requirementIds: requirementIdsOfTags(t.tags) }));
    // No tests at all: the global setup failed, and its error says why.
    if (tests.length === 0) return;
    // A partial run (shard, grep, file filter) cannot promise full coverage; it still must not name unknown IDs.
    this.errors.push(...coverageProblems(tests, { requireAll: !isFilteredRun(config) }).map((p) => `catalog: ${p}`));
  }

  onTestEnd(test: TestCase, result: TestResult) {
    // result.annotations (Playwright ≥ 1.52) holds the static and the runtime ones of this attempt.
    const annotations = result.annotations ?? test.annotations;
    const count = (type: string) => annotations.filter((a) => a.type === type).reduce((n, a) => n + Number(a.description ?? 0), 0);
    // Retries replace the earlier attempt's outcome but their requests still happened.
    this.counters.requests += count(COUNTER_ANNOTATIONS.requests);
    this.counters.operationsCreated += count(COUNTER_ANNOTATIONS.operationsCreated);
    for (const a of annotations.filter((x) => x.type === COUNTER_ANNOTATIONS.retries)) addRetries(this.retries, retriesOf(a.description));
    const door = annotations.find((a) => a.type === DOOR_ANNOTATION)?.description;
    const outcome: TestOutcome = {
      title: test.title,
      ...(door ? { door } : {}),
      file: relative(this.rootDir, test.location.file),
      requirementIds: requirementIdsOfTags(test.tags),
      status: result.status,
      annotations,
      error: result.error?.message ? redact(result.error.message) : undefined,
      // Soft checks: every failed one, so the reason lists them all, not just the first.
      failedChecks: result.errors.map((e) => redact(e.message ?? String(e.value ?? ''))),
    };
    this.outcomes.set(test.id, outcome);
    const judged = testStatus(outcome).status;
    if (judged === 'failed' || judged === 'unverified') {
      this.evidence.set(testKey(outcome), testEvidence(testName(test), result, annotations));
    }
  }

  onError(error: TestError) {
    this.errors.push(redact(error.message ?? String(error.value ?? 'unknown error')).split('\n')[0]!);
  }

  onEnd(result: FullResult) {
    // The ledger counts every create of the run (probe and shared operations included) and what the teardown found.
    const ledgerState = readLedger();
    const outcomes = [...withoutInterruptCrashes([...this.outcomes.values()], result), ...lateOutcomes(ledgerState?.late ?? [])];
    const { verdict, requirements: folded, warnings } = summarize(outcomes, this.errors, { strictPartial: strictModesOf(process.env).has('partial') });
    // Each row quotes its contract sentence; a failed or unverified one also what its decisive test saw.
    const requirements = folded.map((r) => {
      const decisive = r.tests.find((t) => t.status === r.status && this.evidence.has(testKey(t)));
      return { ...r, source: requirement(r.id).source, basis: requirement(r.id).basis, ...(decisive ? { evidence: this.evidence.get(testKey(decisive))! } : {}) };
    });
    const probe = (name: string) => Number(process.env[name] ?? 0);
    const ledger = ledgerState && ledgerCounts(ledgerState);
    const summary = {
      target: targetLabel(process.env),
      embeddedProfile: process.env.CONFORMANCE_EMBEDDED_PROFILE,
      cancelSupport: process.env.CONFORMANCE_CANCEL_SUPPORT,
      cancelSupportSource: process.env.CONFORMANCE_CANCEL_SUPPORT_SOURCE,
      tokenSources: tokenSourcesOf(process.env.CONFORMANCE_TOKEN_SOURCES),
      verdict,
      playwrightStatus: result.status,
      generatedAt: new Date().toISOString(),
      // A merge has no ledger: merge-reports folds the shards' teardown figures into the environment.
      requests: this.counters.requests + probe('CONFORMANCE_PROBE_REQUESTS') + (ledger?.teardownRequests ?? probe('CONFORMANCE_TEARDOWN_REQUESTS')),
      operationsCreated: ledger?.operationsCreated ?? this.counters.operationsCreated + probe('CONFORMANCE_PROBE_OPERATIONS'),
      /** Created and not known to be stopped after the teardown; absent when neither a ledger nor merged shards tell. */
      operationsLeftRunning: ledger?.operationsLeftRunning ?? (process.env.CONFORMANCE_LEFT_RUNNING === undefined ? undefined : probe('CONFORMANCE_LEFT_RUNNING')),
      /** Creates sent that got no answer (interrupted, or timed out): each may have started an operation in no ledger line. */
      createsUnanswered: ledger?.createsUnanswered,
      /** Creates answered with a transient answer (each sent again at most once): each may have started a job in no ledger line. */
      createsPossiblyStarted: ledger?.createsPossiblyStarted,
      /** Transient answers retried (src/transport/retry.ts), by cause; none of them was judged. */
      retries: addRetries(addRetries({}, this.retries), retriesOf(process.env.CONFORMANCE_PROBE_RETRIES)),
      teardownRequests: ledger?.teardownRequests ?? (process.env.CONFORMANCE_TEARDOWN_REQUESTS === undefined ? undefined : probe('CONFORMANCE_TEARDOWN_REQUESTS')),
      suiteErrors: this.errors,
      // TARGET_TLS_INSECURE=true is never silent: its warning comes first.
      warnings: [...tlsWarnings(process.env), ...warnings, ...[ledgerState && unansweredWarning(ledgerState, process.env.TARGET_PARENT), ledgerState && possiblyStartedWarning(ledgerState, process.env.TARGET_PARENT)].filter((w): w is string => !!w)],
      requirements,
    };
    const outputFile = this.options.outputFile ?? 'reports/conformance-summary.json';
    mkdirSync(dirname(outputFile), { recursive: true });
    writeFileSync(outputFile, redact(JSON.stringify(summary, null, 2)) + '\n');
    // A GitHub Actions job shows this on its summary page; a shard's says it has no verdict of its own.
    const shard = this.shard ?? undefined;
    if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, shard ? `## ${formatShardEnd(shard)}\n` : redact(stepSummary(summary)));
    const columns = process.stdout.isTTY ? process.stdout.columns : 120;
    console.log(redact(formatConsole(summary, { columns, paint: paintFor(process.stdout), summaryFile: outputFile, ...(shard ? { shard } : {}) })));
  }
}

/**
 * A Ctrl-C reaches the whole process group: a worker still starting up (before Playwright's own
 * handler) dies of it, and Playwright fails its tests. That is the interrupt, not the target.
 */
export function withoutInterruptCrashes(outcomes: readonly TestOutcome[], result: Pick<FullResult, 'status'>): TestOutcome[] {
  if (result.status !== 'interrupted') return [...outcomes];
  return outcomes.map((o) => (o.status === 'failed' && /worker process exited unexpectedly/.test(o.error ?? '') ? { ...o, status: 'interrupted' } : o));
}

/** CONFORMANCE_STRICT as the reporter finds it; a bad value is the wrapper's configuration error, not the report's. */
function strictModesOf(env: NodeJS.ProcessEnv) {
  try {
    return strictModes(env);
  } catch {
    return new Set<string>();
  }
}

/** "tests/auth.spec.ts:18 › cancel authorization › title", as a reader finds the test. */
function testName(test: TestCase): string {
  const describes: string[] = [];
  for (let s: Suite | undefined = test.parent; s?.type === 'describe'; s = s.parent) describes.unshift(s.title);
  return [`${relative(process.cwd(), test.location.file)}:${test.location.line}`, ...describes, test.title].join(' › ');
}

/** Which source served each scope set, as the global setup found it (absent in merged reports). */
function tokenSourcesOf(raw: string | undefined): Record<string, string> | undefined {
  try {
    return raw ? (JSON.parse(raw) as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}

/** A retries annotation or variable ({"HTTP 503 UNAVAILABLE": 2}); nothing when absent or unreadable. */
function retriesOf(raw: string | undefined): RetryCounts {
  try {
    const parsed = raw ? (JSON.parse(raw) as unknown) : {};
    return typeof parsed === 'object' && parsed !== null ? Object.fromEntries(Object.entries(parsed).filter(([, n]) => typeof n === 'number')) : {};
  } catch {
    return {};
  }
}

/** What the teardown's last look found changed (src/running/teardown.ts): a failed check of the watched requirement. */
export const lateOutcomes = (late: readonly LateFinding[]): TestOutcome[] =>
  late.map((f) => ({ title: 'read once more at the end of the run', file: 'src/running/teardown.ts', ...(f.door ? { door: f.door } : {}), requirementIds: [f.requirement], status: 'failed', annotations: [], error: f.detail, failedChecks: [f.detail] }));
