// One process of the shared.ts test: computes (or reads) a shared value and prints it.
import { appendFileSync } from 'node:fs';
import { once } from '../../src/running/shared';

const [key, computedLog] = process.argv.slice(2);
const value = await once(key!, async () => {
  appendFileSync(computedLog!, `${process.pid}\n`);
  await new Promise((r) => setTimeout(r, 300));
  return { by: process.pid };
});
process.stdout.write(JSON.stringify(value));
