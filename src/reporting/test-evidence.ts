// The evidence the console's Failures section quotes for one test: the assertion's expected and
// received values and the curl line of the decisive exchange. Exchanges are the text/plain
// attachments the recorded client adds (src/transport/evidence.ts `transcript`, ending in a curl or grpcurl line).
import { existsSync, readFileSync } from 'node:fs';
import type { TestResult, TestStep } from '@playwright/test/reporter';
import { parseFailure, type Evidence } from './console-summary';
import { redact } from '../credentials/redact';
import { DECISIVE_ANNOTATION } from '../judging/verdict';

type Attachment = TestResult['attachments'][number];
interface Exchange { readonly name: string; readonly curl: string; readonly beforeFailure: boolean; readonly cleanup: boolean }

const bodyOf = (a: Attachment): string | undefined => {
  if (a.body) return a.body.toString('utf8');
  if (a.path && existsSync(a.path)) return readFileSync(a.path, 'utf8');
  return undefined;
};
const curlOf = (a: Attachment): string | undefined =>
  a.contentType.startsWith('text/plain') ? bodyOf(a)?.split('\n').reverse().find((l) => l.startsWith('curl ') || l.startsWith('grpcurl ')) : undefined;

/** Exchanges in the order they happened, marking those before the first failed check and those in after-hooks (clean-up). */
function exchanges(result: TestResult): Exchange[] {
  const out: Exchange[] = [];
  let failed = false;
  const walk = (steps: readonly TestStep[], cleanup: boolean) => {
    for (const step of steps) {
      const inCleanup = cleanup || (step.category === 'hook' && /after/i.test(step.title));
      for (const a of step.attachments ?? []) {
        const curl = curlOf(a);
        if (curl) out.push({ name: a.name, curl, beforeFailure: !failed, cleanup: inCleanup });
      }
      walk(step.steps, inCleanup);
      if (step.error && step.steps.length === 0) failed = true;
    }
  };
  walk(result.steps, false);
  // Results without steps (merged blobs keep them, but be safe): the attachments alone.
  if (out.length === 0) {
    for (const a of result.attachments) {
      const curl = curlOf(a);
      if (curl) out.push({ name: a.name, curl, beforeFailure: true, cleanup: false });
    }
  }
  return out;
}

/** The decisive exchange: the one the first failed check named (its error is the test's), else the last one before the failed check, else the last one outside clean-up. */
export function decisiveExchange(result: TestResult, annotations: readonly { type: string; description?: string }[]): Pick<Evidence, 'exchange' | 'curl'> {
  const all = exchanges(result);
  const named = annotations.find((a) => a.type === DECISIVE_ANNOTATION)?.description;
  const chosen = (named ? all.filter((e) => e.name === named).at(-1) : undefined)
    ?? all.filter((e) => e.beforeFailure && !e.cleanup).at(-1)
    ?? all.filter((e) => !e.cleanup).at(-1)
    ?? all.at(-1);
  return chosen ? { exchange: redact(chosen.name), curl: redact(chosen.curl) } : {};
}

/** Titles of the failed test.steps: checks are named by what they check (tests/fixtures.ts `check`). */
const failedSteps = (steps: readonly TestStep[]): string[] =>
  steps.flatMap((step) => [...(step.category === 'test.step' && step.error ? [step.title] : []), ...failedSteps(step.steps)]);

export function testEvidence(testName: string, result: TestResult, annotations: readonly { type: string; description?: string }[]): Evidence {
  const error = result.error?.message ? redact(result.error.message) : undefined;
  const first = error?.replace(/^Error:\s*/, '');
  const check = failedSteps(result.steps).find((title) => first?.startsWith(`${title}: `));
  return { test: testName, ...(error ? parseFailure(error, check) : {}), ...decisiveExchange(result, annotations) };
}
