// Data files under fixtures/, read once by the specs that drive tables from them.
import { readFileSync } from 'node:fs';

export const fixtureJson = <T>(file: string): T =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${file}`, import.meta.url), 'utf8')) as T;
