// How a failed contract check reads in the Allure report. tests/fixtures.ts `check()` fails a soft
// expect whose message is "<check>: <what the target did>", then a matcher line: Playwright's JUnit
// reporter counts a test as an assertion failure (not an error) only when its message names a
// matcher. A reader of the report needs neither that line nor the matcher's own step, so
// `npm run report` hands Allure a copy of the results without them (tidyAllureResults), and
// without the Global Errors that Allure makes of a skip thrown while a test was being set up.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATUS_ANNOTATION } from '../judging/verdict';

/** The line after a check's message, for JUnit alone. */
export const CHECK_MATCHER_LINE = 'expect(check).toHold()';
/** Title Playwright gives the matcher's step under the check's step. */
const MATCHER_STEP = /^Expect "(?:soft )?(?:not )?toHold"$/;
/** A skip (not applicable, not run, unverified) as Playwright words it when it is thrown. */
const THROWN_SKIP = /^(?:Error: )?Test is skipped: /;

/** A failure message or trace without the matcher line and the "Error: " Playwright puts first. */
export function checkMessage(text: string): string {
  return text.split('\n').filter((line, i, lines) => line.trim() !== CHECK_MATCHER_LINE && !(line.trim() === '' && lines[i + 1]?.trim() === CHECK_MATCHER_LINE))
    .join('\n').replace(/^Error: /, '');
}

interface StatusDetails { message?: string; trace?: string; [k: string]: unknown }
interface AllureStep { name?: string; status?: string; statusDetails?: StatusDetails; steps?: AllureStep[]; attachments?: unknown[]; [k: string]: unknown }
interface AllureResult extends AllureStep { uuid?: string }
interface AllureGlobals { errors?: StatusDetails[]; attachments?: unknown[] }

const tidyDetails = (d: StatusDetails | undefined): StatusDetails | undefined => {
  if (!d || !(d.message?.includes(CHECK_MATCHER_LINE) || d.trace?.includes(CHECK_MATCHER_LINE))) return d;
  return { ...d, ...(d.message ? { message: checkMessage(d.message) } : {}), ...(d.trace ? { trace: checkMessage(d.trace) } : {}) };
};

/** Steps without the matcher's own step (its attachments and steps go to the check's step). */
function tidySteps(steps: readonly AllureStep[] | undefined, skipped: boolean): AllureStep[] {
  return (steps ?? []).flatMap((step) => {
    const inner = tidySteps(step.steps, skipped);
    if (MATCHER_STEP.test(step.name ?? '')) return inner;
    const hoisted = (step.steps ?? []).filter((s) => MATCHER_STEP.test(s.name ?? '')).flatMap((s) => s.attachments ?? []);
    const tidy: AllureStep = { ...step, steps: inner, attachments: [...(step.attachments ?? []), ...hoisted], statusDetails: tidyDetails(step.statusDetails) };
    // A skip thrown in a fixture fails "Before Hooks": it is the test's skip, not a failure of it.
    if (skipped && step.status === 'failed' && THROWN_SKIP.test(step.statusDetails?.message ?? '')) {
      return [{ ...tidy, status: 'skipped', statusDetails: { message: step.statusDetails!.message!.replace(THROWN_SKIP, '') } }];
    }
    return [tidy];
  });
}

export function tidyResult(result: AllureResult): AllureResult {
  const skipped = result.status === 'skipped';
  // allure-playwright makes a (passed) step of each static annotation: a skip's reason is its message already.
  const steps = skipped ? (result.steps ?? []).filter((st) => !st.name?.startsWith(`${STATUS_ANNOTATION}: `)) : result.steps;
  return { ...result, statusDetails: tidyDetails(result.statusDetails), steps: tidySteps(steps, skipped) };
}

/** Global errors that are not skips; undefined when nothing global is left. */
export function tidyGlobals(globals: AllureGlobals): AllureGlobals | undefined {
  const errors = (globals.errors ?? []).filter((e) => !THROWN_SKIP.test((e.message ?? '').replace(/^.*? failed: /, '')));
  return errors.length || globals.attachments?.length ? { ...globals, errors } : undefined;
}

/**
 * A copy of Allure results directory `from` in `to` as the report should show it: results
 * rewritten (tidyResult), skip-only globals left out, everything else (attachments, environment) as is.
 */
export function tidyAllureResults(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = entry.name;
    const source = join(from, file);
    if (file.endsWith('-result.json')) writeFileSync(join(to, file), JSON.stringify(tidyResult(JSON.parse(readFileSync(source, 'utf8')) as AllureResult)));
    else if (file.endsWith('-globals.json')) {
      const kept = tidyGlobals(JSON.parse(readFileSync(source, 'utf8')) as AllureGlobals);
      if (kept) writeFileSync(join(to, file), JSON.stringify(kept));
    } else copyFileSync(source, join(to, file));
  }
}
