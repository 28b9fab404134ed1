/** Read side of the warnings: pages with the acknowledgement matrix, detail, escalations. */
import type { Escalation, Warning, WarningActivity, WarningView } from '@liandong/contracts';
import type { Pool } from '@liandong/db';
import { toView, VIEW, type ViewRow } from './warning.rows.ts';

export interface WarningQuery {
  levels?: string[];
  statuses?: string[];
  unit?: string;
  ruleId?: string;
  from?: Date;
  to?: Date;
  exercise?: boolean;
  before?: { raisedAt: string; id: string };
  limit: number;
}

export interface EscalationQuery {
  unit?: string;
  warningId?: string;
  from?: Date;
  to?: Date;
  before?: { escalatedAt: string; warningId: string; unit: string; step: number };
  limit: number;
}

export function createWarningQueries(pool: Pool) {
  return {
    async list(query: WarningQuery): Promise<WarningView[]> {
      const { rows } = await pool.query<ViewRow>(
        `${VIEW}
         WHERE ($1::text[] IS NULL OR w.level = ANY($1))
           AND ($2::text[] IS NULL OR w.status = ANY($2))
           AND ($3::text IS NULL OR w.departments @> ARRAY[$3])
           AND ($4::text IS NULL OR w.rule_id = $4)
           AND ($5::timestamptz IS NULL OR w.raised_at >= $5)
           AND ($6::timestamptz IS NULL OR w.raised_at < $6)
           AND ($7::boolean IS NULL OR w.exercise = $7)
           AND ($8::timestamptz IS NULL OR (w.raised_at, w.id) < ($8, $9::text))
         ORDER BY w.raised_at DESC, w.id DESC LIMIT $10`,
        [
          query.levels ?? null,
          query.statuses ?? null,
          query.unit ?? null,
          query.ruleId ?? null,
          query.from ?? null,
          query.to ?? null,
          query.exercise ?? null,
          query.before?.raisedAt ?? null,
          query.before?.id ?? null,
          query.limit,
        ],
      );
      return rows.map(toView);
    },

    async get(id: string): Promise<WarningView | undefined> {
      const { rows } = await pool.query<ViewRow>(`${VIEW} WHERE w.id = $1`, [id]);
      return rows[0] ? toView(rows[0]) : undefined;
    },

    async revisions(id: string): Promise<Warning[]> {
      const { rows } = await pool.query<{ doc: Warning }>(
        'SELECT doc FROM warning_revisions WHERE warning_id = $1 ORDER BY revision',
        [id],
      );
      return rows.map((r) => r.doc);
    },

    async activity(id: string): Promise<WarningActivity[]> {
      const { rows } = await pool.query<{ doc: WarningActivity }>(
        'SELECT doc FROM warning_activity WHERE warning_id = $1 ORDER BY at, id',
        [id],
      );
      return rows.map((r) => r.doc);
    },

    async escalations(
      query: EscalationQuery,
    ): Promise<(Escalation & { cursor: [string, string, string, number] })[]> {
      const { rows } = await pool.query<{
        warning_id: string;
        unit: Escalation['department'];
        step: number;
        level: Escalation['level'];
        deadline: Date;
        escalated_at: Date;
        notified: string[];
        exercise: boolean;
      }>(
        `SELECT * FROM escalations
         WHERE ($1::text IS NULL OR unit = $1)
           AND ($2::text IS NULL OR warning_id = $2)
           AND ($3::timestamptz IS NULL OR escalated_at >= $3)
           AND ($4::timestamptz IS NULL OR escalated_at < $4)
           AND ($5::timestamptz IS NULL OR (escalated_at, warning_id, unit, step) < ($5, $6::text, $7::text, $8::int))
         ORDER BY escalated_at DESC, warning_id DESC, unit DESC, step DESC LIMIT $9`,
        [
          query.unit ?? null,
          query.warningId ?? null,
          query.from ?? null,
          query.to ?? null,
          query.before?.escalatedAt ?? null,
          query.before?.warningId ?? null,
          query.before?.unit ?? null,
          query.before?.step ?? null,
          query.limit,
        ],
      );
      return rows.map((r) => ({
        warningId: r.warning_id,
        department: r.unit,
        step: r.step,
        level: r.level,
        deadline: r.deadline.toISOString(),
        escalatedAt: r.escalated_at.toISOString(),
        notified: r.notified,
        exercise: r.exercise,
        cursor: [r.escalated_at.toISOString(), r.warning_id, r.unit, r.step],
      }));
    },
  };
}

export type WarningQueries = ReturnType<typeof createWarningQueries>;
