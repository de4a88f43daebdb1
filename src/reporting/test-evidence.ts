// The evidence the console's Failures section quotes for one test: the assertion's expected and
// received values and the replay of the decisive exchange: its curl line, how its credential was
// built and which token to export. Exchanges are the text/plain attachments the recorded client
// adds (src/transport/evidence.ts `transcript`, ending in the replay block of src/transport/replay.ts).
import { existsSync, readFileSync } from 'node:fs';
import type { TestResult, TestStep } from '@playwright/test/reporter';
import { parseFailure, type Evidence } from './console-summary';
import { redact } from '../credentials/redact';
import { DECISIVE_ANNOTATION } from '../judging/verdict';
import { readReplayBlock, type ReplayBlock } from '../transport/replay';

type Attachment = TestResult['attachments'][number];
interface Exchange { readonly name: string; readonly replay: ReplayBlock; readonly beforeFailure: boolean; readonly cleanup: boolean }

const bodyOf = (a: Attachment): string | undefined => {
  if (a.body) return a.body.toString('utf8');
  if (a.path && existsSync(a.path)) return readFileSync(a.path, 'utf8');
  return undefined;
};
const replayOf = (a: Attachment): ReplayBlock | undefined => {
  if (!a.contentType.startsWith('text/plain')) return undefined;
  const body = bodyOf(a);
  return body === undefined ? undefined : readReplayBlock(body);
};

/** The evidence's replay fields: the line, and what goes with it where the transcript says. */
const replayFields = (r: ReplayBlock): Pick<Evidence, 'curl' | 'credentials' | 'token' | 'tokenExport' | 'replayNotes'> => ({
  curl: redact(r.line),
  ...(r.credentials ? { credentials: redact(r.credentials) } : {}),
  ...(r.token ? { token: redact(r.token) } : {}),
  ...(r.export ? { tokenExport: redact(r.export) } : {}),
  ...(r.notes.length ? { replayNotes: r.notes.map(redact) } : {}),
});

/** Exchanges in the order they happened, marking those before the first failed check and those in after-hooks (clean-up). */
function exchanges(result: TestResult): Exchange[] {
  const out: Exchange[] = [];
  let failed = false;
  const walk = (steps: readonly TestStep[], cleanup: boolean) => {
    for (const step of steps) {
      const inCleanup = cleanup || (step.category === 'hook' && /after/i.test(step.title));
      for (const a of step.attachments ?? []) {
        const replay = replayOf(a);
        if (replay) out.push({ name: a.name, replay, beforeFailure: !failed, cleanup: inCleanup });
      }
      walk(step.steps, inCleanup);
      if (step.error && step.steps.length === 0) failed = true;
    }
  };
  walk(result.steps, false);
  // Results without steps (merged blobs keep them, but be safe): the attachments alone.
  if (out.length === 0) {
    for (const a of result.attachments) {
      const replay = replayOf(a);
      if (replay) out.push({ name: a.name, replay, beforeFailure: true, cleanup: false });
    }
  }
  return out;
}

/** The decisive exchange: the one the first failed check named (its error is the test's), else the last one before the failed check, else the last one outside clean-up. */
export function decisiveExchange(result: TestResult, annotations: readonly { type: string; description?: string }[]): Pick<Evidence, 'exchange' | 'curl' | 'credentials' | 'token' | 'tokenExport' | 'replayNotes'> {
  const all = exchanges(result);
  const named = annotations.find((a) => a.type === DECISIVE_ANNOTATION)?.description;
  const chosen = (named ? all.filter((e) => e.name === named).at(-1) : undefined)
    ?? all.filter((e) => e.beforeFailure && !e.cleanup).at(-1)
    ?? all.filter((e) => !e.cleanup).at(-1)
    ?? all.at(-1);
  return chosen ? { exchange: redact(chosen.name), ...replayFields(chosen.replay) } : {};
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
