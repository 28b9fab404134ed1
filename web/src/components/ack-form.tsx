import { useState, type FormEvent, type Ref } from 'react';
import { departmentEntry, type UnitCode } from '@liandong/contracts';
import { describeError } from '../api/client.ts';
import { useAcknowledge } from '../api/queries.ts';
import { useI18n } from '../i18n/index.ts';

/** A note and the acknowledgement in one action: Enter in the note field acknowledges. */
export function AckForm({
  warningId,
  unit,
  onBehalf,
  inputRef,
  compact = false,
}: {
  warningId: string;
  unit: UnitCode;
  /** An operator acknowledging for the unit names it. */
  onBehalf: boolean;
  inputRef?: Ref<HTMLInputElement>;
  compact?: boolean;
}) {
  const { t, text } = useI18n();
  const ack = useAcknowledge();
  const [note, setNote] = useState('');
  const unitName = text(departmentEntry(unit).name);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    ack.mutate({
      id: warningId,
      body: { ...(onBehalf ? { department: unit } : {}), ...(note.trim() ? { note: note.trim() } : {}) },
    });
  };
  return (
    <form className={compact ? 'ack-form compact' : 'ack-form'} onSubmit={submit} data-testid={`ack-${unit}`}>
      <input
        ref={inputRef}
        aria-label={`${t('ack.note')} · ${unitName}`}
        placeholder={t('ack.notePlaceholder')}
        value={note}
        maxLength={2000}
        onChange={(e) => setNote(e.target.value)}
        onKeyDown={(e) => e.stopPropagation()}
      />
      <button type="submit" className="primary" disabled={ack.isPending}>
        {ack.isPending ? t('ack.busy') : onBehalf ? t('ack.submitFor', { unit: unitName }) : t('ack.submit')}
      </button>
      {ack.isError ? (
        <span className="error" role="alert">
          {t('ack.failed', { detail: describeError(ack.error) })}
        </span>
      ) : null}
    </form>
  );
}
