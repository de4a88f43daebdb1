import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, test } from '@playwright/test';
import { RPC_CODE_NAMES, RPC_CODES, codeByName, codeByNumber, httpStatusForCode, isRpcCodeName } from '../../src/judging/codes';

/** Every enum entry of google.rpc.Code in code.proto, with the `HTTP Mapping: NNN ...` line of its comment. */
function parseCodeProto(text: string) {
  const body = /enum Code \{([\s\S]*?)\n\}/.exec(text)?.[1];
  if (!body) throw new Error('no "enum Code" in code.proto');
  const entries: { name: string; number: number; http: number | undefined }[] = [];
  let http: number | undefined;
  for (const line of body.split('\n')) {
    const mapping = /^\s*\/\/\s*HTTP Mapping:\s*(\d{3})\b/.exec(line);
    if (mapping) http = Number(mapping[1]);
    const entry = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(\d+)\s*;/.exec(line);
    if (entry) {
      entries.push({ name: entry[1], number: Number(entry[2]), http });
      http = undefined;
    }
  }
  return entries;
}

const protoPath = createRequire(import.meta.url).resolve('google-proto-files/google/rpc/code.proto');
const fromProto = parseCodeProto(readFileSync(protoPath, 'utf8'));

test.describe('google.rpc.Code table', () => {
  test('code.proto parses into 17 entries, each with an HTTP mapping', () => {
    expect(fromProto).toHaveLength(17);
    for (const entry of fromProto) expect(entry.http, `${entry.name} has an "HTTP Mapping:" line`).toBeDefined();
  });

  test('src/judging/codes.ts matches code.proto exactly (name, number, HTTP)', () => {
    const sorted = [...fromProto].sort((a, b) => a.number - b.number);
    expect(RPC_CODES.map(({ name, number, http }) => ({ name, number, http }))).toEqual(sorted);
  });

  test('RPC_CODE_NAMES lists the names in number order', () => {
    expect([...RPC_CODE_NAMES]).toEqual(RPC_CODES.map((c) => c.name));
    expect(RPC_CODE_NAMES.map((name, i) => codeByNumber(i)?.name)).toEqual([...RPC_CODE_NAMES]);
  });

  for (const { name, number, http } of fromProto) {
    test(`${name} = ${number} maps to HTTP ${http}`, () => {
      expect(codeByName(name)).toEqual({ name, number, http });
      expect(codeByNumber(number)?.name).toBe(name);
      expect(httpStatusForCode(name)).toBe(http);
      expect(httpStatusForCode(number)).toBe(http);
    });
  }

  test('unknown codes map to nothing', () => {
    for (const unknown of ['cancelled', 'Cancelled', '', 'CANCELED', '1']) {
      expect(codeByName(unknown), unknown).toBeUndefined();
      expect(httpStatusForCode(unknown), unknown).toBeUndefined();
      expect(isRpcCodeName(unknown), unknown).toBe(false);
    }
    for (const unknown of [-1, 17, 499, 1.5]) {
      expect(codeByNumber(unknown), String(unknown)).toBeUndefined();
      expect(httpStatusForCode(unknown), String(unknown)).toBeUndefined();
    }
    expect(isRpcCodeName('UNIMPLEMENTED')).toBe(true);
  });

  test('the table cannot be changed at run time', () => {
    expect(Object.isFrozen(RPC_CODES)).toBe(true);
    expect(RPC_CODES.every((c) => Object.isFrozen(c))).toBe(true);
  });
});
