// The file side of the gate: reads CONFORMANCE_BASELINE and CONFORMANCE_PREVIOUS_SUMMARY,
// writes the outcome into the summary as its `gate` member and prints one line per entry.
// scripts/conformance.ts and scripts/merge-reports.ts both end through applyGate().
import { readFileSync, writeFileSync } from 'node:fs';
import { computeGate, parseBaseline, type Gate, type GateSummary } from './baseline';

export class GateConfigError extends Error {}

function readJson(variable: string, path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new GateConfigError(`${variable}=${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Point it at an existing JSON file or unset it.`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GateConfigError(`${variable}=${path} is not valid JSON: ${(error as Error).message}`);
  }
}

export interface GateInputs {
  baseline?: { path: string; json: unknown };
  previous?: { path: string; summary: Pick<GateSummary, 'requirements'> };
}

/** Reads and checks the gate's inputs before a run; throws GateConfigError naming the variable. */
export function gateInputsFromEnv(env: NodeJS.ProcessEnv): GateInputs {
  const inputs: GateInputs = {};
  const baselinePath = env.CONFORMANCE_BASELINE?.trim();
  if (baselinePath) {
    const json = readJson('CONFORMANCE_BASELINE', baselinePath);
    const { problems } = parseBaseline(json);
    if (problems.length) throw new GateConfigError(`CONFORMANCE_BASELINE=${baselinePath}: ${problems.join('; ')}`);
    inputs.baseline = { path: baselinePath, json };
  }
  const previousPath = env.CONFORMANCE_PREVIOUS_SUMMARY?.trim();
  if (previousPath) {
    const summary = readJson('CONFORMANCE_PREVIOUS_SUMMARY', previousPath) as Pick<GateSummary, 'requirements'>;
    if (!Array.isArray(summary?.requirements)) throw new GateConfigError(`CONFORMANCE_PREVIOUS_SUMMARY=${previousPath} has no "requirements" array: is it a conformance-summary.json?`);
    inputs.previous = { path: previousPath, summary };
  }
  return inputs;
}

/** Computes the gate over a written summary, stores it as `gate`, prints its lines, returns it. */
export function applyGate(summaryFile: string, inputs: GateInputs, log: (line: string) => void = console.log): Gate {
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as GateSummary & Record<string, unknown>;
  const gate = computeGate(summary, inputs);
  writeFileSync(summaryFile, JSON.stringify({ ...summary, gate }, null, 2) + '\n');
  for (const line of gate.lines) log(line);
  return gate;
}
