/** What the reports read: the warnings raised in a period with their matrix, and escalation counts. */
import type { Pool } from '@liandong/db';
import type { PeriodWarning } from '../domain/report.ts';
import { toView, VIEW, type ViewRow } from './warning.rows.ts';

/** A period holds at most this many warnings (a larger one is refused: ask for a shorter range). */
export const PERIOD_WARNING_LIMIT = 20_000;

export function createReportQueries(pool: Pool) {
  return {
    async period(range: { from: Date; to: Date }, unit?: string): Promise<PeriodWarning[] | 'too_many'> {
      const { rows } = await pool.query<ViewRow & { escalations: number }>(
        `SELECT v.*, (SELECT count(*)::int FROM escalations e WHERE e.warning_id = v.doc->>'id') AS escalations
         FROM (${VIEW} WHERE w.raised_at >= $1 AND w.raised_at < $2 AND ($3::text IS NULL OR w.departments @> ARRAY[$3])
               ORDER BY w.raised_at, w.id LIMIT $4) v`,
        [range.from, range.to, unit ?? null, PERIOD_WARNING_LIMIT + 1],
      );
      if (rows.length > PERIOD_WARNING_LIMIT) return 'too_many';
      return rows.map((r) => ({ warning: toView(r), escalations: r.escalations }));
    },

    async escalationCount(warningId: string): Promise<number> {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM escalations WHERE warning_id = $1',
        [warningId],
      );
      return rows[0]?.n ?? 0;
    },
  };
}

export type ReportQueries = ReturnType<typeof createReportQueries>;
