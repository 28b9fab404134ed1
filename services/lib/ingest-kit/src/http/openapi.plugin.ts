/** The service's OpenAPI 3.1 document (/docs/json) and its browsable form (/docs). */
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { departmentEntry, INGEST_MEDIA_TYPES, MAX_BATCH_RECORDS } from '@liandong/contracts';
import type { IngestDefinition } from '../definition.ts';
import { describeIngestOperation } from '../openapi.ts';

export async function registerOpenApi(app: FastifyInstance, definition: IngestDefinition): Promise<void> {
  const entry = departmentEntry(definition.department);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `Liandong ingest — ${entry.name.en} (${entry.name.zh})`,
        version: '1',
        description:
          `Pushes records of the ${entry.name.en} department onto Kafka (events.${definition.department}.v1). ` +
          `Accepts ${INGEST_MEDIA_TYPES.join(', ')}; one record or a batch of up to ${MAX_BATCH_RECORDS} (5 MB).`,
      },
      components: {
        securitySchemes: { departmentKey: { type: 'http', scheme: 'bearer', description: 'Department key' } },
      },
    },
    transformObject: describeIngestOperation(definition) as never,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
