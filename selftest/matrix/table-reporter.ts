// Prints the mutation matrix as one table at the end of npm test: each variant's test leaves its
// row as an annotation, wherever it ran.
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export const MATRIX_ROW = 'matrix-row';

export interface MatrixRow {
  /** The variant's place in variants.ts, the table's order. */
  readonly index: number;
  readonly name: string;
  readonly breaks: readonly string[];
  readonly caught: readonly string[];
  readonly falseFailures: readonly string[];
  readonly mismatches: readonly string[];
  readonly verdict: string;
  readonly ok: boolean;
  readonly seconds: number;
}

export function matrixTable(rows: readonly MatrixRow[]): string {
  const width = Math.max(...rows.map((r) => r.name.length));
  const lines = rows.map((r) => `${r.ok ? 'ok  ' : 'MISS'} ${r.name.padEnd(width)}  caught ${r.caught.length}/${r.breaks.length}  ${r.verdict.padEnd(14)} ${r.seconds.toFixed(1)}s  ${r.breaks.join(', ')}${r.mismatches.length ? `\n       ${r.mismatches.join('\n       ')}` : ''}`);
  const broken = rows.filter((r) => r.breaks.length > 0);
  const caught = broken.filter((r) => r.caught.length === r.breaks.length).length;
  const falseFailures = rows.reduce((n, r) => n + r.falseFailures.length, 0);
  return [...lines, `caught ${caught}/${broken.length} broken variants; ${falseFailures} false failures; ${rows.filter((r) => r.mismatches.length).length} runs with a status other than pinned`].join('\n');
}

export default class MatrixTableReporter implements Reporter {
  private readonly rows: MatrixRow[] = [];

  onTestEnd(test: TestCase, result: TestResult) {
    for (const a of result.annotations) if (a.type === MATRIX_ROW && a.description) this.rows.push(JSON.parse(a.description) as MatrixRow);
  }

  onEnd() {
    if (this.rows.length === 0) return;
    const rows = [...this.rows].sort((a, b) => a.index - b.index);
    console.log(`\nmutation matrix (${rows.length} runs)\n${matrixTable(rows)}\n`);
  }

  printsToStdio() {
    return false;
  }
}
