import { useEffect, useState } from 'react';
import type { Level } from '@liandong/contracts';
import { useI18n } from '../i18n/index.ts';
import { formatDuration } from '../format.ts';

/** Level shown by colour, shape and words together (never by colour alone). */
const LEVEL_SHAPE: Record<Level, string> = { blue: '◆', yellow: '▲', orange: '■', red: '●' };

export function LevelBadge({ level }: { level: Level }) {
  const { t } = useI18n();
  return (
    <span className={`level level-${level}`}>
      <span aria-hidden="true">{LEVEL_SHAPE[level]}</span> {t(`level.${level}`)}
    </span>
  );
}

export function ExerciseTag({ show, test = false }: { show: boolean; test?: boolean }) {
  const { t } = useI18n();
  if (!show) return null;
  return (
    <span className="exercise-tag" title={t('exercise.hint')}>
      {test ? t('exercise.test') : t('exercise.tag')}
    </span>
  );
}

/** One clock for every countdown on the page. */
let now = Date.now();
const ticks = new Set<(n: number) => void>();
setInterval(() => {
  now = Date.now();
  for (const f of ticks) f(now);
}, 1000);

export function useNow(): number {
  const [value, setValue] = useState(now);
  useEffect(() => {
    ticks.add(setValue);
    return () => void ticks.delete(setValue);
  }, []);
  return value;
}

/** Time left to a deadline, or how far past it; urgent under a minute. */
export function Countdown({ deadline }: { deadline: string }) {
  const { t } = useI18n();
  const current = useNow();
  const left = Date.parse(deadline) - current;
  const cls = left < 0 ? 'clock overdue' : left < 60_000 ? 'clock urgent' : 'clock';
  return (
    <span className={cls} role="timer">
      {left < 0
        ? `！${t('ack.overdue', { time: formatDuration(left, t) })}`
        : t('ack.left', { time: formatDuration(left, t) })}
    </span>
  );
}
