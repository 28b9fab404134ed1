/**
 * Each ingest service's OpenAPI document (/docs/json) says what the wire does: the four media
 * types with an example each, errors as application/problem+json with examples — and each example
 * is a record its service accepts, normalized by the department's own code.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { healthDefinition } from '@liandong/ingest-health';
import type { IngestDefinition } from '@liandong/ingest-kit';
import { buildFakeIngestService } from '@liandong/ingest-kit/fakes';
import { marketDefinition } from '@liandong/ingest-market';
import { policeDefinition } from '@liandong/ingest-police';
import { trafficDefinition } from '@liandong/ingest-traffic';
import { urbanDefinition } from '@liandong/ingest-urban';
import { waterDefinition } from '@liandong/ingest-water';

const DEFINITIONS: IngestDefinition[] = [
  policeDefinition,
  urbanDefinition,
  marketDefinition,
  healthDefinition,
  waterDefinition,
  trafficDefinition,
];

interface MediaType {
  schema?: unknown;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface Operation {
  requestBody: { content: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, MediaType>; headers?: Record<string, unknown> }>;
}

const built: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(built.map((s) => s.close()));
});

describe.each(DEFINITIONS.map((d) => [d.department, d] as const))(
  'ingest-%s /docs/json',
  (department, definition) => {
    it('lists every media type with examples, and answers errors as problem+json with an example', async () => {
      // The department's real definition on fakes at the seams: the document, not the pipeline, is under test.
      const service = await buildFakeIngestService({ definition });
      built.push(service);
      const response = await service.app.inject({ method: 'GET', url: '/docs/json' });
      expect(response.statusCode).toBe(200);
      const operation = response.json<{ paths: Record<string, { post: Operation }> }>().paths['/v1/events']
        ?.post as Operation;
      const content = operation.requestBody.content;
      expect(Object.keys(content).sort()).toEqual(
        ['application/cap+xml', 'application/json', 'application/xml', 'text/xml'].sort(),
      );
      for (const [type, media] of Object.entries(content))
        expect(Object.keys(media.examples ?? {}).length, `${type} has an example`).toBeGreaterThan(0);
      for (const status of ['400', '401', '403', '409', '413', '415', '429', '503']) {
        const reply = operation.responses[status]?.content;
        expect(Object.keys(reply ?? {}), `${status}'s media type`).toEqual(['application/problem+json']);
        expect(reply?.['application/problem+json']?.example, `${status} has an example`).toMatchObject({
          status: Number(status),
        });
      }
      expect(Object.keys(operation.responses['202']?.content ?? {})).toEqual(['application/json']);
      expect(operation.responses['503']?.headers).toHaveProperty('Retry-After');

      // Every example is what the service takes: JSON records by its normalizer, XML by its XML path.
      const context = {
        department,
        receivedAt: new Date('2026-12-02T02:20:00Z'),
        sourceSystem: 'docs',
        defaultCrs: 'WGS84' as const,
      };
      const json = Object.values(content['application/json']?.examples ?? {});
      expect(json.length).toBe(Object.keys(definition.schemas).filter((n) => n !== 'GaugeStation').length);
      for (const { value } of json) {
        const outcome = definition.json?.normalize(value, 0, context);
        expect(outcome?.ok ? 'accepted' : outcome?.issues).toBe('accepted');
      }
      for (const type of ['application/cap+xml', 'application/xml', 'text/xml'])
        for (const { value } of Object.values(content[type]?.examples ?? {})) {
          const outcomes = definition.xml?.(String(value), context) ?? [];
          expect(outcomes.length).toBeGreaterThan(0);
          for (const o of outcomes) expect(o.ok ? 'accepted' : o.issues).toBe('accepted');
        }
    });
  },
);
