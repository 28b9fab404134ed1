/**
 * A normalizing thread: parses and normalizes pushed bodies off the event loop that talks to
 * clients, PostgreSQL and Kafka, and hands back each accepted event already serialized.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toAppError } from '@liandong/errors';
import type { IngestDefinition } from '../definition.ts';
import { normalizeBody, prepare } from './body.normalizer.ts';
import type { NormalizeJob, NormalizeReply, WireOutcome } from './worker-protocol.ts';

const { definitionModule, exportName } = workerData as { definitionModule: string; exportName: string };
const loaded = (await import(definitionModule)) as Record<string, IngestDefinition | undefined>;
const definition = loaded[exportName];
if (!definition) throw new Error(`${definitionModule} exports no "${exportName}"`);
const port = parentPort;
if (!port) throw new Error('normalize.worker.ts runs as a worker thread');

port.on('message', (job: NormalizeJob) => {
  let reply: NormalizeReply;
  try {
    const { outcomes, format } = normalizeBody(definition, job.mediaType, job.text, {
      ...job.context,
      receivedAt: new Date(job.receivedAtMs),
    });
    const prepared = prepare(outcomes);
    let size = 0;
    for (const p of prepared) if (p.ok) size += p.value.length + p.hash.length;
    const buffer = new ArrayBuffer(size);
    const bytes = new Uint8Array(buffer);
    let offset = 0;
    const wire: WireOutcome[] = prepared.map((p) => {
      if (!p.ok) return p;
      bytes.set(p.value, offset);
      bytes.set(p.hash, offset + p.value.length);
      const placed = { offset, valueLength: p.value.length, hashLength: p.hash.length };
      offset += p.value.length + p.hash.length;
      const { value: _value, hash: _hash, ...rest } = p;
      return { ...rest, ...placed };
    });
    reply = { id: job.id, format, outcomes: wire, buffer };
    port.postMessage(reply, [buffer]);
  } catch (thrown) {
    const error = toAppError(thrown);
    reply = {
      id: job.id,
      error: {
        code: error.code,
        message: error.message,
        errors: error.errors,
        ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
      },
    };
    port.postMessage(reply);
  }
});
