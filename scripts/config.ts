// `npm run config`: the resolved configuration, for debugging a target before (or instead of)
// a run. Every variable with its value (secrets redacted) and where it came from: the
// environment, `.env` (DOTENV_CONFIG_PATH), TARGET_PRESET, or the default. Then the token
// source of each scope set and the same checks `npm run conformance` makes (exit 3 if they fail).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { ReferenceConfigError, optionsFromEnv } from '../reference-server/index';
import { VARIABLE_GROUPS, VARIABLES, unknownVariables, type Variable } from '../src/running/config-variables';
import { ConfigError, isEmbeddedTarget, parseConfig, plannedDoors, presetDefaults } from '../src/running/config';
import { requireCredentials } from '../src/credentials/credentials-check';
import { GateConfigError, gateInputsFromEnv } from '../src/judging/gate-files';
import { redact, registerSecret } from '../src/credentials/redact';
import { tokenSourceNames } from '../src/credentials/tokens';
import { mustsNotRun, readiness, unconfiguredTokens } from '../src/running/readiness';

type Env = Readonly<Record<string, string | undefined>>;
export type Source = 'environment' | '.env' | 'preset' | 'default' | 'unset';

export interface Resolved { readonly name: string; readonly source: Source; readonly value: string; readonly note?: string }

const blank = (value: string | undefined) => value === undefined || value.trim() === '';

/** Where each variable's effective value comes from. dotenv never overrides a variable the environment has, even a blank one. */
export function resolveVariables(environment: Env, dotenv: Env, preset: Env): Resolved[] {
  return VARIABLES.map((variable) => {
    const fromEnv = environment[variable.name];
    const raw = fromEnv !== undefined ? fromEnv : dotenv[variable.name];
    if (!blank(raw)) return { name: variable.name, source: fromEnv !== undefined ? 'environment' : '.env', value: shown(variable, raw!) };
    const note = raw !== undefined ? `set blank in ${fromEnv !== undefined ? 'the environment' : '.env'}, so unset` : undefined;
    const withNote = (r: Omit<Resolved, 'note'>): Resolved => (note ? { ...r, note } : r);
    if (!blank(preset[variable.name])) return withNote({ name: variable.name, source: 'preset', value: shown(variable, preset[variable.name]!) });
    return withNote(variable.default ? { name: variable.name, source: 'default', value: variable.default } : { name: variable.name, source: 'unset', value: '' });
  });
}

function shown(variable: Variable, value: string): string {
  if (!variable.secret) return redact(value.trim());
  // Registered too, so no later line (an error message) can repeat it.
  value.split(',').forEach((part) => registerSecret(part.trim()));
  return `[REDACTED] (${value.trim().length} characters)`;
}

/** The MUSTs certain to be not-run with this configuration (src/running/readiness.ts); nothing is minted, no command runs. */
export interface MustNotRun { readonly id: string; readonly why: string }

/** The checks of `npm run conformance`, on the merged environment; the message of the first that fails. */
export async function check(env: Env): Promise<{ error?: string; tokenSources?: Record<string, string>; doors?: readonly string[]; mustsNotRun?: readonly MustNotRun[] }> {
  try {
    const cfg = parseConfig(env);
    requireCredentials(cfg);
    const embedded = isEmbeddedTarget(env);
    if (embedded) optionsFromEnv(env as NodeJS.ProcessEnv);
    gateInputsFromEnv(env as NodeJS.ProcessEnv);
    const musts = mustsNotRun(readiness(cfg, await unconfiguredTokens(cfg, embedded)));
    // The embedded target's issuer is only known once it runs; it serves every scope set.
    return embedded ? { doors: plannedDoors(env), mustsNotRun: musts } : { tokenSources: { ...tokenSourceNames(cfg) }, doors: cfg.doors, mustsNotRun: musts };
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ReferenceConfigError || error instanceof GateConfigError) return { error: error.message };
    throw error;
  }
}

export async function describeConfiguration(environment: Env, dotenvPath: string): Promise<{ lines: string[]; exitCode: number }> {
  const found = existsSync(dotenvPath);
  const dotenv = found ? parseDotenv(readFileSync(dotenvPath, 'utf8')) : {};
  const merged: Env = { ...dotenv, ...environment };
  let preset: Env = {};
  let presetError: string | undefined;
  try {
    preset = presetDefaults(merged);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    presetError = error.message;
  }
  const resolved = new Map(resolveVariables(environment, dotenv, preset).map((r) => [r.name, r]));
  const width = Math.max(...VARIABLES.map((v) => v.name.length));
  const lines = [`Configuration of lro-cancel-conformance (.env: ${dotenvPath}, ${found ? 'read' : 'not found'})`];
  for (const group of VARIABLE_GROUPS) {
    lines.push('', group.title);
    for (const { name } of group.variables) {
      const r = resolved.get(name)!;
      lines.push(`  ${name.padEnd(width)}  ${r.source.padEnd(11)}  ${r.value}${r.note ? ` (${r.note})` : ''}`.trimEnd());
    }
  }
  const strays = unknownVariables(Object.keys(environment), Object.keys(dotenv));
  if (strays.length) lines.push('', `not read by the suite (a typo?): ${strays.map((u) => (u.meant ? `${u.name} (did you mean ${u.meant}?)` : u.name)).join(', ')}`);
  const { error, tokenSources, doors, mustsNotRun: musts } = presetError ? { error: presetError, tokenSources: undefined, doors: undefined, mustsNotRun: undefined } : await check({ ...merged, ...preset });
  if (doors) lines.push('', `doors judged: ${doors.map((d) => (d === 'grpc' ? 'gRPC' : 'REST')).join(' and ')}`);
  if (tokenSources) lines.push('', `token sources: ${Object.entries(tokenSources).map(([k, s]) => `${k}: ${s}`).join('; ')}`);
  else if (!error && isEmbeddedTarget({ ...merged, ...preset })) lines.push('', 'token sources: the embedded issuer (client credentials) for every scope set');
  // Valid, yet certain to end INCOMPLETE: npm run preflight says more (it runs the token sources too).
  if (!error && musts?.length) lines.push('', ...musts.map(({ id, why }) => `warning: ${id} (MUST) will not run: ${why}`));
  lines.push('', error ? `configuration error: ${error}` : 'configuration: valid');
  return { lines: lines.map(redact), exitCode: error ? 3 : 0 };
}

if (process.argv[1]?.endsWith('scripts/config.ts')) {
  const { lines, exitCode } = await describeConfiguration(process.env, resolve(process.env.DOTENV_CONFIG_PATH ?? '.env'));
  console.log(lines.join('\n'));
  process.exit(exitCode);
}
