/**
 * Department systems pushing through a fault: each sender posts one record per request and, as
 * a department system would, sends again what was answered 503 before anything new. What each
 * answer was is counted; the topic is then read and set against what was answered 202.
 */
import type { KafkaMessage } from 'kafkajs';
import { push, type IngestProcess } from '../hostile/ingest-process.ts';

export interface SenderStats {
  sent: number;
  acked: Set<string>;
  /** Ids refused for now, to send again. */
  pending: string[];
  unavailable: number;
  withoutRetryAfter: number;
  slowest503Ms: number;
  /** Answers other than 202 and 503, or none at all. */
  otherAnswers: string[];
  /** When the first 202 came after `markBack()` (0: none yet). */
  firstAcceptAfterBack: number;
}

export function startSenders(
  service: IngestProcess,
  options: { senders: number; prefix: string; record: (id: string) => string },
) {
  const stats: SenderStats = {
    sent: 0,
    acked: new Set(),
    pending: [],
    unavailable: 0,
    withoutRetryAfter: 0,
    slowest503Ms: 0,
    otherAnswers: [],
    firstAcceptAfterBack: 0,
  };
  let next = 0;
  let stopped = false;
  let backAt = 0;

  const sendOne = async (id: string) => {
    stats.sent++;
    const t0 = Date.now();
    let answer;
    try {
      answer = await push(service, options.record(id));
    } catch (error) {
      stats.otherAnswers.push(`${id}: no answer (${(error as Error).message})`);
      stats.pending.push(id);
      return;
    }
    if (answer.status === 202) {
      stats.acked.add(id);
      if (backAt && !stats.firstAcceptAfterBack) stats.firstAcceptAfterBack = Date.now();
    } else if (answer.status === 503) {
      stats.unavailable++;
      stats.slowest503Ms = Math.max(stats.slowest503Ms, Date.now() - t0);
      if (!answer.retryAfter) stats.withoutRetryAfter++;
      stats.pending.push(id);
    } else {
      stats.otherAnswers.push(`${id}: ${answer.status} ${answer.body.slice(0, 200)}`);
      stats.pending.push(id);
    }
  };
  const sender = async () => {
    while (!stopped) {
      await sendOne(stats.pending.shift() ?? `${options.prefix}-${next++}`);
      if (stats.pending.length > 0) await new Promise((r) => setTimeout(r, 200));
    }
  };
  const running = Array.from({ length: options.senders }, () => sender());

  return {
    stats,
    /** The dependency is back: the next 202 is the recovery. Returns the moment. */
    markBack(): number {
      backAt = Date.now();
      return backAt;
    },
    /** Waits for the first 202 after `markBack()`, lets the senders run on `afterMs`, stops them and sends what is pending until `deadline`. */
    async finish(deadline: number, afterMs = 2000): Promise<void> {
      while (!stats.firstAcceptAfterBack && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, afterMs));
      stopped = true;
      await Promise.all(running);
      while (stats.pending.length > 0 && Date.now() < deadline)
        await sendOne(stats.pending.shift() as string);
    },
  };
}

/**
 * The events topic, read to its end offsets, against what was answered 202: the source ids
 * missing from it, how many event ids it holds twice, and every copy that is not the same event
 * (another event id under the key, or another source id under one event id).
 */
export function setAgainstTopic(messages: KafkaMessage[], acked: Set<string>) {
  const sources = messages.map(
    (m) => (JSON.parse(m.value?.toString() ?? '{}') as { source?: { id?: string } }).source?.id,
  );
  const onTopic = new Set(sources);
  const keys = messages.map((m) => m.key?.toString());
  const firstSource = new Map<string, string | undefined>();
  const differing: string[] = [];
  messages.forEach((m, n) => {
    const key = m.key?.toString() ?? '';
    const event = JSON.parse(m.value?.toString() ?? '{}') as { id?: string };
    if (event.id !== key) differing.push(`${key}: event ${String(event.id)} under another key`);
    if (!firstSource.has(key)) firstSource.set(key, sources[n]);
    else if (firstSource.get(key) !== sources[n])
      differing.push(`${key}: sources ${String(firstSource.get(key))} and ${String(sources[n])}`);
  });
  return {
    onTopic,
    lost: [...acked].filter((id) => !onTopic.has(id)),
    doubled: keys.length - new Set(keys).size,
    differing,
  };
}
