/**
 * After-action reports (复盘): one warning, or a period, as JSON (what the console draws), CSV
 * (UTF-8 with BOM), PDF (the print HTML through Chromium) or the print HTML itself. Operators,
 * analysts and admins; every report served is recorded in the audit log.
 */
import { Type } from '@sinclair/typebox';
import { type PeriodReport, Problem, ReportFormat, type WarningReport } from '@liandong/contracts';
import { townAt } from '@liandong/cap-publish';
import { AppError } from '@liandong/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createPdfRenderer } from '../adapters/report.pdf.ts';
import { createReportQueries, PERIOD_WARNING_LIMIT } from '../adapters/report.queries.ts';
import type { HubDeps, HubServer } from '../deps.ts';
import { buildPeriodReport, buildWarningReport } from '../domain/report.ts';
import { beijing, periodCsv, periodHtml, warningCsv, warningHtml } from '../domain/report.export.ts';
import { plain } from '../http/schema.ts';
import { principalOf } from '../http/security.ts';

const problems = { 400: plain(Problem), 401: plain(Problem), 403: plain(Problem), 404: plain(Problem) };
export const REPORT_READERS = { roles: ['operator', 'analyst', 'admin'] as const };
/** The longest period one report covers. */
export const MAX_PERIOD_DAYS = 400;

const FormatQuery = Type.Optional(ReportFormat);
const Exported = Type.Union([Type.Object({}, { additionalProperties: true }), Type.String()], {
  description: 'JSON (see the report schema), CSV, HTML or PDF by `format`',
});

const townOf = (p: { lon: number; lat: number }) => townAt(p);

/** An ASCII file name (the UTF-8 one goes in filename*). */
function disposition(name: string): string {
  const ascii = name.replace(/[^A-Za-z0-9._-]+/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function reportRoutes(app: HubServer, deps: HubDeps) {
  const queries = createReportQueries(deps.pool);
  const pdf = createPdfRenderer(deps.settings.chromiumPath);

  async function send(
    request: FastifyRequest,
    reply: FastifyReply,
    format: ReportFormat,
    name: string,
    target: string,
    detail: Record<string, unknown>,
    render: { json: () => unknown; csv: () => string; html: () => string; footer: string },
  ) {
    const principal = principalOf(request);
    let body: unknown;
    let bytes: number | undefined;
    switch (format) {
      case 'json':
        body = render.json();
        break;
      case 'csv':
        body = render.csv();
        reply.type('text/csv; charset=utf-8').header('content-disposition', disposition(`${name}.csv`));
        break;
      case 'html':
        body = render.html();
        reply.type('text/html; charset=utf-8');
        break;
      case 'pdf': {
        let file: Buffer;
        try {
          file = await pdf.render(render.html(), { footer: render.footer });
        } catch (error) {
          throw new AppError(
            'internal',
            `the PDF could not be printed with Chromium at ${deps.settings.chromiumPath} (REPORT_CHROMIUM_PATH); CSV and JSON still work`,
            { cause: error },
          );
        }
        bytes = file.length;
        body = file;
        reply.type('application/pdf').header('content-disposition', disposition(`${name}.pdf`));
        break;
      }
    }
    await deps.audit({
      actor: principal.username,
      actorRole: principal.role,
      action: format === 'json' ? 'report.viewed' : 'report.exported',
      target,
      outcome: 'ok',
      detail: { format, ...detail, ...(bytes !== undefined ? { bytes } : {}) },
      ip: request.ip,
    });
    return reply.send(body);
  }

  app.get(
    '/api/v1/reports/warnings/:id',
    {
      config: { access: REPORT_READERS },
      schema: {
        tags: ['reports'],
        summary:
          'After-action report of one warning: timeline from first evidence to resolution, time to detect, time to acknowledge per unit against its deadline, disposition, evidence',
        description: `JSON is the WarningReport schema. format=csv|pdf|html exports it (CSV is UTF-8 with BOM). Audited.`,
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 300 }) }),
        querystring: Type.Object({ format: FormatQuery }),
        response: { 200: Exported, ...problems },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const warning = await deps.warnings.get(id);
      if (!warning) throw new AppError('not_found', `no warning ${id}`);
      const [revisions, activity, evidence, escalations] = await Promise.all([
        deps.warnings.revisions(id),
        deps.warnings.activity(id),
        deps.events.byIds(warning.evidence),
        queries.escalationCount(id),
      ]);
      const report: WarningReport = buildWarningReport(
        { warning, revisions, activity, evidence, escalations },
        deps.now(),
        townOf,
      );
      return send(
        request,
        reply,
        request.query.format ?? 'json',
        `liandong-report-${id}`,
        `warning:${id}`,
        {},
        {
          json: () => report,
          csv: () => warningCsv(report),
          html: () => warningHtml(report),
          footer: `联动 复盘 ${id}`,
        },
      );
    },
  );

  app.get(
    '/api/v1/reports/period',
    {
      config: { access: REPORT_READERS },
      schema: {
        tags: ['reports'],
        summary:
          'After-action report of a period (a day, a week, a month, any range): warnings raised in [from, to), exercises counted apart',
        description: `Counts by department, category, level, rule and town; deadline compliance per unit; median and p90 acknowledgement times; rule precision from dispositions; busiest hours. At most ${MAX_PERIOD_DAYS} days and ${PERIOD_WARNING_LIMIT} warnings. JSON is the PeriodReport schema; format=csv|pdf|html exports it. Audited.`,
        querystring: Type.Object({
          from: Type.String({ format: 'date-time', description: 'RFC 3339, inclusive' }),
          to: Type.String({ format: 'date-time', description: 'RFC 3339, exclusive' }),
          format: FormatQuery,
        }),
        response: { 200: Exported, ...problems },
      },
    },
    async (request, reply) => {
      const from = new Date(request.query.from);
      const to = new Date(request.query.to);
      if (!(to > from))
        throw new AppError('validation_failed', 'to must be after from', {
          errors: [{ pointer: '/to', code: 'invalid_field', message: `after ${request.query.from}` }],
        });
      if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86_400_000)
        throw new AppError('validation_failed', `a period covers at most ${MAX_PERIOD_DAYS} days`, {
          errors: [
            { pointer: '/to', code: 'invalid_field', message: `at most ${MAX_PERIOD_DAYS} days after from` },
          ],
        });
      const items = await queries.period({ from, to });
      if (items === 'too_many')
        throw new AppError(
          'validation_failed',
          `more than ${PERIOD_WARNING_LIMIT} warnings were raised in this period; ask for a shorter one`,
          { errors: [{ pointer: '/from', code: 'invalid_field', message: 'a shorter range' }] },
        );
      const report: PeriodReport = buildPeriodReport({ from, to }, items, deps.now(), townOf);
      const stamp = (d: Date) => beijing(d.toISOString()).slice(0, 16).replace(/\D/g, '');
      return send(
        request,
        reply,
        request.query.format ?? 'json',
        `liandong-report-${stamp(from)}-${stamp(to)}`,
        'period',
        { from: report.from, to: report.to, warnings: report.warnings.length },
        {
          json: () => report,
          csv: () => periodCsv(report),
          html: () => periodHtml(report),
          footer: `联动 复盘 ${beijing(report.from)} – ${beijing(report.to)}`,
        },
      );
    },
  );
}
