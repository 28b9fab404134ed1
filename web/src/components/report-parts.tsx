import type { ReactNode } from 'react';
import type { TFunction } from 'i18next';
import type { ReportFormat } from '@liandong/contracts';
import { formatDuration } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

/** Parts both report screens use. */

/**
 * The report's exports, straight from the hub with the session cookie: the hub names the files
 * and records every export in the audit log (so does every view of the report itself).
 */
export function ExportLinks({ url, name }: { url: (format: ReportFormat) => string; name: string }) {
  const { t } = useI18n();
  return (
    <p className="exports" data-testid="exports">
      <span className="exports-label">{t('report.export')}</span>
      <a href={url('csv')} download data-format="csv">
        {t('report.exportCsv')}
      </a>
      <a href={url('pdf')} download data-format="pdf">
        {t('report.exportPdf')}
      </a>
      <a href={url('json')} download={`${name}.json`} data-format="json">
        {t('report.exportJson')}
      </a>
      <a href={url('html')} target="_blank" rel="noopener" data-format="html">
        {t('report.exportPrint')}
      </a>
      <span className="muted small">{t('report.exportAudited')}</span>
    </p>
  );
}

/** One figure of a report's head: its name, its value (with ！ when it needs attention), a hint. */
export function Kpi({
  name,
  label,
  value,
  hint,
  alert = false,
}: {
  name: string;
  label: ReactNode;
  value: number | string;
  hint?: string | undefined;
  alert?: boolean;
}) {
  return (
    <div className={`kpi${alert ? ' kpi-alert' : ''}`} data-kpi={name}>
      <dt>{label}</dt>
      <dd>
        <span className="kpi-value">
          {alert ? '！' : ''}
          {value}
        </span>
        {hint ? <span className="muted small kpi-hint">{hint}</span> : null}
      </dd>
    </div>
  );
}

export interface Column {
  label: ReactNode;
  /** num: right-aligned figures; wide: a bar. */
  className?: 'num' | 'wide';
}

/** A report table's header row: plain labels, or labels with their alignment. */
export function TableHead({ cols }: { cols: readonly (string | Column)[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c, i) => {
          const col = typeof c === 'string' ? { label: c } : c;
          return (
            <th key={i} scope="col" className={col.className}>
              {col.label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}

/** A section of a report: its heading, a note on how its figures are counted, its body or “none”. */
export function Panel({
  id,
  heading,
  note,
  empty = false,
  children,
}: {
  id: string;
  heading: ReactNode;
  note?: ReactNode;
  empty?: boolean;
  children: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>{heading}</h2>
      {note ? <p className="muted small">{note}</p> : null}
      {empty ? <p className="muted">{t('report.none')}</p> : children}
    </section>
  );
}

/** A report's duration in seconds in words; under a second is not “0 s”. */
export function reportSeconds(value: number | null, t: TFunction): string {
  if (value === null) return '—';
  if (value > 0 && value < 1) return t('report.underSecond');
  return formatDuration(value * 1000, t);
}
