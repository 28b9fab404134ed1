/**
 * Which CAP messages a warning makes, from its revisions and its resolution. Pure.
 *
 * - the first revision is an Alert; each later revision an Update that references every earlier
 *   message of the warning;
 * - a revision whose status is `cancelled` (withdrawn by its evidence or the rule) is a Cancel,
 *   and nothing follows it;
 * - an operator's resolution adds one closing message: a Cancel for a false alarm or a duplicate
 *   (the public should disregard the warning), an Update with responseType AllClear otherwise
 *   (confirmed, no impact: the danger is over).
 */
import type { Resolution, Warning } from '@liandong/contracts';

export type CapMsgType = 'Alert' | 'Update' | 'Cancel';

export interface PlannedMessage {
  warningId: string;
  /** Stable name of the message within its warning: `r<revision>` or `closing`. */
  part: string;
  /** The revision the message describes (the last one for a closing message). */
  revision: number;
  msgType: CapMsgType;
  /** When it was sent: the revision's update time, or the resolution's. */
  sent: Date;
  warning: Warning;
  /** Set on the closing message of a resolved warning. */
  resolution?: Resolution;
  allClear: boolean;
}

export function planMessages(revisions: readonly Warning[], resolution: Resolution | null): PlannedMessage[] {
  const ordered = [...revisions].sort((a, b) => a.revision - b.revision);
  const messages: PlannedMessage[] = [];
  for (const warning of ordered) {
    const cancelled = warning.status === 'cancelled';
    messages.push({
      warningId: warning.id,
      part: `r${warning.revision}`,
      revision: warning.revision,
      msgType: cancelled ? 'Cancel' : messages.length === 0 ? 'Alert' : 'Update',
      sent: new Date(warning.updatedAt),
      warning,
      allClear: false,
    });
    if (cancelled) return messages;
  }
  const last = ordered.at(-1);
  if (resolution && last) {
    const cancel = resolution.disposition === 'false_alarm' || resolution.disposition === 'duplicate';
    messages.push({
      warningId: last.id,
      part: 'closing',
      revision: last.revision,
      msgType: cancel ? 'Cancel' : 'Update',
      sent: new Date(Math.max(new Date(resolution.at).getTime(), new Date(last.updatedAt).getTime())),
      warning: last,
      resolution,
      allClear: !cancel,
    });
  }
  return messages;
}
