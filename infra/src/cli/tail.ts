/**
 * pnpm tail <topic> — prints a topic's messages as they arrive, one JSON line each (partition,
 * offset, key, Kafka timestamp in Beijing time, headers, value parsed as JSON where it is JSON).
 * The cached Kafka has no console tools; this is how a department's integrator sees an event land.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { TOPIC_SPECS, namespacedTopic } from '@liandong/contracts';
import { runCommand, UsageError } from '../cli-support.ts';

const USAGE = `usage: pnpm tail <topic> [options]

Prints the messages of a Liandong topic as they arrive, one JSON line each.

  <topic>              a topic name, e.g. events.police.v1, warnings.v1, ingest.dlq.v1
  --from-beginning     start at the oldest message kept (default: only new messages)
  --to-end             stop once the end offsets seen at start are reached (implies --from-beginning
                       unless --from-latest); exits 0
  --max N              stop after N messages
  --prefix P           the topic prefix the services use (KAFKA_TOPIC_PREFIX)
  --brokers LIST       Kafka bootstrap servers (KAFKA_BROKERS, default 127.0.0.1:9092)
  -h, --help           this text

Topics: ${TOPIC_SPECS.map((s) => s.name).join(', ')}
Exit status: 0 done (or Ctrl-C), 1 Kafka unreachable or the topic does not exist, 2 a usage mistake.`;

export interface TailOptions {
  topic: string;
  fromBeginning: boolean;
  toEnd: boolean;
  max?: number;
  brokers: string[];
}

export function parseTailArgs(argv: string[], env: NodeJS.ProcessEnv): TailOptions {
  let topic: string | undefined;
  let fromBeginning = false;
  let toEnd = false;
  let max: number | undefined;
  let prefix = env['KAFKA_TOPIC_PREFIX'] ?? '';
  let brokers = env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
  const value = (i: number, name: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} wants a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--from-beginning') fromBeginning = true;
    else if (arg === '--to-end') toEnd = true;
    else if (arg === '--max') {
      const n = Number(value(i++, '--max'));
      if (!Number.isInteger(n) || n < 1)
        throw new UsageError(`--max wants a whole number above 0, not ${argv[i]}`);
      max = n;
    } else if (arg === '--prefix') prefix = value(i++, '--prefix');
    else if (arg === '--brokers') brokers = value(i++, '--brokers');
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (topic === undefined) topic = arg;
    else throw new UsageError(`one topic at a time (got ${topic} and ${arg})`);
  }
  if (!topic) throw new UsageError('name a topic');
  return {
    topic: namespacedTopic(topic, prefix),
    fromBeginning: fromBeginning || toEnd,
    toEnd,
    ...(max !== undefined ? { max } : {}),
    brokers: brokers.split(',').filter(Boolean),
  };
}

const SHANGHAI = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
});

/** One message as a JSON line: the value parsed where it is JSON, else given as text. */
export function formatMessage(partition: number, message: KafkaMessage): string {
  const text = message.value?.toString('utf8') ?? null;
  let value: unknown = text;
  if (text !== null) {
    try {
      value = JSON.parse(text);
    } catch {
      // Not JSON (a CAP XML body in a dead letter, say): printed as text.
    }
  }
  const headers = Object.fromEntries(
    Object.entries(message.headers ?? {}).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.map(String) : v?.toString(),
    ]),
  );
  return JSON.stringify({
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    timestamp: `${SHANGHAI.format(new Date(Number(message.timestamp)))
      .replace(' ', 'T')
      .replace(',', '.')}+08:00`,
    headers,
    value,
  });
}

export class TopicMissing extends Error {}

/** Tails a topic until stopped, `max` messages, or (with `toEnd`) the end offsets seen at start. */
export async function tail(
  options: TailOptions,
  write: (line: string) => void,
  signal?: AbortSignal,
): Promise<number> {
  const kafka = new Kafka({
    clientId: 'liandong-tail',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(options.topic))
      throw new TopicMissing(
        `no topic ${options.topic} on ${options.brokers.join(',')} (topics there: ${
          topics
            .filter((t) => !t.startsWith('__'))
            .sort()
            .join(', ') || 'none'
        })`,
      );
    ends = new Map((await admin.fetchTopicOffsets(options.topic)).map((p) => [p.partition, BigInt(p.high)]));
  } finally {
    await admin.disconnect();
  }
  const waiting = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  if (options.toEnd && waiting.size === 0) return 0;

  // A group of its own that commits nothing: tailing never moves anyone's offsets.
  const consumer = kafka.consumer({ groupId: `liandong-tail-${randomUUID()}` });
  await consumer.connect();
  let printed = 0;
  // Nothing is committed, so a rebalance of this one-member group (seen while it settles) starts a
  // partition over: what was printed already is skipped by offset, never printed twice.
  const next = new Map<number, bigint>();
  try {
    await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning });
    await new Promise<void>((resolve, reject) => {
      signal?.addEventListener('abort', () => resolve(), { once: true });
      consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (options.max !== undefined && printed >= options.max) return;
            const offset = BigInt(message.offset);
            if (offset < (next.get(partition) ?? 0n)) return;
            next.set(partition, offset + 1n);
            write(formatMessage(partition, message));
            printed++;
            if (options.toEnd && offset + 1n >= (ends.get(partition) ?? 0n)) waiting.delete(partition);
            if (
              (options.max !== undefined && printed >= options.max) ||
              (options.toEnd && waiting.size === 0)
            )
              resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return printed;
}

if (import.meta.url === `file://${process.argv[1]}`)
  await runCommand('pnpm tail', USAGE, async (argv) => {
    const options = parseTailArgs(argv, process.env);
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    await tail(options, (line) => process.stdout.write(line + '\n'), stop.signal);
  });
