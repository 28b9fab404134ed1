/** Times as the duty office reads them: Asia/Shanghai, 24-hour, whatever the browser's zone. */
import type { TFunction } from 'i18next';
import {
  VOCABULARIES,
  departmentEntry,
  isUnitCode,
  type DepartmentCode,
  type LocalizedText,
} from '@liandong/contracts';
import type { Lang } from './i18n/index.ts';

export const TIME_ZONE = 'Asia/Shanghai';

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: Lang, withDate: boolean) {
  const key = `${lang}:${withDate}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', {
      timeZone: TIME_ZONE,
      hour12: false,
      ...(withDate ? { year: 'numeric', month: '2-digit', day: '2-digit' } : {}),
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(key, f);
  }
  return f;
}

export function formatTime(iso: string | null | undefined, lang: Lang, withDate = true): string {
  if (!iso) return '—';
  return formatter(lang, withDate).format(new Date(iso));
}

/** A duration in words, e.g. 4分05秒. */
export function formatDuration(ms: number, t: TFunction): string {
  const total = Math.max(0, Math.floor(Math.abs(ms) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  if (h > 0) return t('time.h', { h, m: String(m).padStart(2, '0') });
  if (m > 0) return t('time.m', { m, s });
  return t('time.s', { s: total });
}

/** `datetime-local` input value in Asia/Shanghai, and back to an instant. */
export function toLocalInput(date: Date): string {
  const shifted = new Date(date.getTime() + 8 * 3600_000);
  return shifted.toISOString().slice(0, 16);
}
export function fromLocalInput(value: string): Date {
  return new Date(`${value}:00+08:00`);
}

/** The event's name in the department's vocabulary (data from contracts), or its code. */
export function typeName(type: string, text: (v: LocalizedText) => string): string {
  const [dept, key] = type.split('.');
  const entry = dept && key ? VOCABULARIES[dept as DepartmentCode]?.[key] : undefined;
  return entry ? text(entry.name) : type;
}

/** Who an escalation told, in words (the hub writes operators, supervisor:<unit>, duty-leader). */
export function recipientName(code: string, t: TFunction, text: (v: LocalizedText) => string): string {
  if (code === 'operators') return t('notify.operators');
  if (code === 'duty-leader') return t('notify.dutyLeader');
  const unit = /^supervisor:(.+)$/.exec(code)?.[1];
  if (unit && isUnitCode(unit)) return t('notify.supervisor', { unit: text(departmentEntry(unit).name) });
  return code;
}
