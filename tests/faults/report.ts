/**
 * The suite's figures: each scenario appends one row to the file FAULTS_REPORT names (the
 * `pnpm test:faults` runner prints them as a table); without it the row goes to the test's output.
 */
import { appendFileSync } from 'node:fs';

export interface ScenarioRow {
  scenario: string;
  sent: number;
  accepted: number;
  lost: number;
  doubled: number;
  errors: number;
  /** Milliseconds from the fault's end until the service accepted again (undefined: no fault). */
  recoveryMs?: number;
  note?: string;
}

export function reportScenario(row: ScenarioRow): void {
  const file = process.env['FAULTS_REPORT'];
  if (file) appendFileSync(file, `${JSON.stringify(row)}\n`);
  else console.log(`[faults] ${JSON.stringify(row)}`);
}

export function formatTable(rows: ScenarioRow[]): string {
  const header = ['scenario', 'events sent', 'accepted', 'lost', 'doubled', 'errors', 'recovery', 'note'];
  const lines = rows.map((r) => [
    r.scenario,
    String(r.sent),
    String(r.accepted),
    String(r.lost),
    String(r.doubled),
    String(r.errors),
    r.recoveryMs === undefined ? '—' : `${(r.recoveryMs / 1000).toFixed(1)} s`,
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [row(header), row(widths.map((w) => '-'.repeat(w))), ...lines.map(row)].join('\n');
}
