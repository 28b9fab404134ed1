/**
 * The ingest API's OpenAPI document as the wire is: `POST /v1/events` takes each of the four
 * media types (the department's JSON records, CAP 1.2 and its other XML), each with an example,
 * and answers errors as `application/problem+json` with an example of each. Fastify's route
 * schema can only say `application/json`; this rewrites that one operation of the generated
 * document. The JSON examples are the record schemas' own `examples` (in contracts, checked by a
 * test to be accepted by their department's normalizer).
 */
import {
  INGEST_MEDIA_TYPES,
  MAX_BATCH_RECORDS,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_BASE,
} from '@liandong/contracts';
import { ERROR_CODES, type ErrorCode } from '@liandong/errors';
import type { IngestDefinition } from './definition.ts';

/** A CAP 1.2 warning in Chinese, as any department may issue one (valid against the CAP 1.2 XSD). */
export const CAP_EXAMPLE = `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>44060541000000-20261202101500-0001</identifier>
  <sender>nhsw@nanhai.gov.cn</sender>
  <sent>2026-12-02T10:15:00+08:00</sent>
  <status>Exercise</status><msgType>Alert</msgType><scope>Public</scope>
  <info>
    <language>zh-CN</language><category>Met</category><event>内涝</event>
    <urgency>Immediate</urgency><severity>Severe</severity><certainty>Observed</certainty>
    <headline>桂城街道海八路下穿隧道积水</headline>
    <description>隧道积水约40厘米，已有车辆涉水被困。</description>
    <area><areaDesc>桂城街道海八路</areaDesc><circle>23.0392,113.1466 0.5</circle></area>
  </info>
</alert>
`;

/** An Open311 GeoReport v2 request list in XML (urban management and market supervision). */
export const OPEN311_XML_EXAMPLE = `<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>12345-DEMO-0002</service_request_id>
    <status>open</status>
    <service_code>009</service_code>
    <service_name>占道经营</service_name>
    <description>路口流动摊贩占道</description>
    <requested_datetime>2026-12-02T10:20:00+08:00</requested_datetime>
    <address>狮山镇罗村大道</address>
    <lat>23.159566</lat>
    <long>113.022753</long>
  </request>
</service_requests>
`;

type Json = Record<string, unknown>;

/** One example per JSON record schema of the department: `{ PoliceRecord: { value } }`. */
export function jsonExamples(
  definition: IngestDefinition,
): Record<string, { summary: string; value: unknown }> {
  const examples: Record<string, { summary: string; value: unknown }> = {};
  for (const [name, schema] of Object.entries(definition.schemas)) {
    const [value] = ((schema as Json)['examples'] as unknown[] | undefined) ?? [];
    if (value !== undefined) examples[name] = { summary: `one ${name}`, value };
  }
  return examples;
}

function problemExample(code: ErrorCode, detail: string, extra: Json = {}): Json {
  const entry = ERROR_CODES[code];
  return {
    type: `${PROBLEM_TYPE_BASE}${code.replaceAll('_', '-')}`,
    title: entry.title,
    status: entry.status,
    detail,
    code,
    retriable: entry.retriable,
    instance: '/v1/events',
    ...extra,
  };
}

const PROBLEM_EXAMPLES: Record<string, Json> = {
  '400': problemExample(
    'validation_failed',
    '1 of 1 records were refused; 0 accepted and 0 duplicates were kept',
    {
      errors: [
        {
          pointer: '/location',
          code: 'missing_location',
          message: 'the record says nowhere where it happened: give location, address or adminCode',
        },
      ],
    },
  ),
  '401': problemExample('unauthorized', 'send the department key as "Authorization: Bearer <key>"'),
  '403': problemExample('forbidden', 'this key belongs to another department'),
  '409': problemExample(
    'conflict',
    '1 of 1 records reuse a source id accepted before with other content ("JJ-DEMO-0001" at /occurredAt): the first accepted state is kept; 0 accepted and 0 duplicates were kept',
    {
      errors: [
        {
          pointer: '/occurredAt',
          code: 'conflict',
          message:
            'differs from the record first accepted under source id "JJ-DEMO-0001"; that first state is kept (a correction is never taken under the same id): resend it unchanged, or send the correction as a record of its own id',
        },
      ],
    },
  ),
  '413': problemExample('payload_too_large', 'the body is larger than 5 MB: send smaller batches'),
  '415': problemExample('unsupported_media_type', `send one of ${INGEST_MEDIA_TYPES.join(', ')}`),
  '429': problemExample('rate_limited', 'more than 6000 requests per minute from this address; slow down'),
  '503': problemExample('dependency_unavailable', 'Kafka is unavailable; try again after Retry-After', {}),
};

/** Rewrites `POST /v1/events` of the generated document: every media type, problem+json errors. */
export function describeIngestOperation(definition: IngestDefinition) {
  return ({ openapiObject }: { openapiObject: Json }): Json => {
    const paths = openapiObject['paths'] as Record<string, Record<string, Json>> | undefined;
    const operation = paths?.['/v1/events']?.['post'];
    if (!operation) return openapiObject;
    const requestBody = operation['requestBody'] as { content?: Record<string, Json> } | undefined;
    const jsonSchema = requestBody?.content?.['application/json']?.['schema'] ?? {};
    const xml = (examples: Record<string, string>) => ({
      schema: { type: 'string', description: 'one XML document' },
      examples: Object.fromEntries(Object.entries(examples).map(([k, v]) => [k, { value: v }])),
    });
    const xmlExamples: Record<string, string> = { cap: CAP_EXAMPLE };
    if ('Open311ServiceRequest' in definition.schemas) xmlExamples['open311'] = OPEN311_XML_EXAMPLE;
    operation['requestBody'] = {
      required: true,
      description: `One record or a JSON array of up to ${MAX_BATCH_RECORDS}; CAP 1.2 and Open311 XML one document at a time. UTF-8 only.`,
      content: {
        'application/json': { schema: jsonSchema, examples: jsonExamples(definition) },
        'application/cap+xml': xml({ cap: CAP_EXAMPLE }),
        'application/xml': xml(xmlExamples),
        'text/xml': xml(xmlExamples),
      },
    };
    const responses = (operation['responses'] ?? {}) as Record<string, Json>;
    for (const [status, example] of Object.entries(PROBLEM_EXAMPLES)) {
      const response = responses[status];
      const content = response?.['content'] as Record<string, Json> | undefined;
      const schema = content?.['application/json']?.['schema'];
      if (!response || !schema) continue;
      response['content'] = { [PROBLEM_CONTENT_TYPE]: { schema, example } };
      if (status === '503' || status === '429')
        response['headers'] = {
          'Retry-After': { description: 'seconds to wait before sending again', schema: { type: 'integer' } },
        };
    }
    return openapiObject;
  };
}
