import { createScanner, type SyntaxKind } from 'jsonc-parser';
import {
  Open311ServiceRequest,
  VOCABULARIES,
  validator,
  type Crs,
  type DepartmentCode,
  type FeedFormat,
  type NormalizedEvent,
  type Open311CodeTable,
} from '@liandong/contracts';
import { AppError } from '@liandong/errors';
import { compact } from '../domain/compact.ts';
import { toWgs84 } from '../domain/coordinates.ts';
import { eventIdFor } from '../domain/event-id.ts';
import { rejected, type NormalizeContext, type RecordIssue, type RecordOutcome } from '../domain/outcome.ts';
import { extensionStatus } from '../domain/drill-status.ts';
import { futureSkewIssue, toUtc } from '../domain/time.ts';
import { jsonSyntaxError, lineColumn } from '../media.ts';
import type { XmlElement } from './xml.parser.ts';

/**
 * Parses an Open311 JSON body with one narrow leniency, for the GeoReport v2 specification's own
 * example, whose `"service_code":006` is not JSON (nor JSON5: neither allows leading zeros).
 * An unsigned integer written with leading zeros, outside strings, is read as the string of
 * its digits, exactly as written: Open311 identifiers are strings, and `006` must stay `006`
 * (a code table keyed "006" would never find the number 6). Nothing else is tolerated: any
 * other syntax error is a 400 `malformed_body` naming the line and column in the body as sent.
 * Tokens come from jsonc-parser's scanner, so digits inside strings are never touched.
 */
// jsonc-parser's SyntaxKind is a const enum, which verbatimModuleSyntax cannot import; the
// annotations make the compiler check these values against it.
const EOF: SyntaxKind.EOF = 17;
const NUMBER: SyntaxKind.NumericLiteral = 11;

/**
 * Whether a request as sent is a later state of itself: updated after it was requested. The
 * specification's own examples send updated_datetime equal to requested_datetime for a request
 * that has not changed since.
 */
function isRevision(requestedAt: string, updatedAt: string | undefined): boolean {
  return updatedAt !== undefined && Date.parse(updatedAt) > Date.parse(requestedAt);
}

const LONG_DIGITS = /\d{16}/;

/**
 * Also: an integer above 2^53 (a 64-bit id some systems send unquoted) is read as the string of
 * its digits, so that it keeps every digit (JSON.parse would round 9007199254740993 to …992 and
 * two requests would share one id).
 */
export function parseOpen311Json(text: string): unknown {
  // Only bodies that fail strict JSON, or hold a number of 16 digits or more, pay for the rewrite.
  if (!LONG_DIGITS.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // Rewritten below.
    }
  }
  const quotes: number[] = []; // offsets in the rewritten text of the quotes added
  let rewritten = '';
  let copied = 0;
  const scanner = createScanner(text, false);
  let kind = scanner.scan();
  while (kind !== EOF) {
    const start = scanner.getTokenOffset();
    let end = start + scanner.getTokenLength();
    let digits = scanner.getTokenValue();
    const isNumber = kind === NUMBER;
    kind = scanner.scan();
    if (isNumber && digits === '0') {
      // The scanner splits "006" into adjacent number tokens "0", "0", "6".
      while (kind === NUMBER && scanner.getTokenOffset() === end) {
        digits += scanner.getTokenValue();
        end = scanner.getTokenOffset() + scanner.getTokenLength();
        kind = scanner.scan();
      }
    }
    const leadingZeros = /^0\d+$/.test(digits);
    const unsafeInteger = /^\d{16,}$/.test(digits) && !Number.isSafeInteger(Number(digits));
    if (isNumber && (leadingZeros || unsafeInteger)) {
      rewritten += text.slice(copied, start);
      quotes.push(rewritten.length, rewritten.length + digits.length + 1);
      rewritten += `"${digits}"`;
      copied = end;
    }
  }
  rewritten += text.slice(copied);
  try {
    return JSON.parse(rewritten);
  } catch (error) {
    // Errors are placed in the body as sent: every added quote before the offset shifts it by one.
    throw jsonSyntaxError(rewritten, error, (offset) =>
      lineColumn(text, offset - quotes.filter((q) => q < offset).length),
    );
  }
}

export interface Open311Options {
  /** The department whose vocabulary the code table maps into (urban or market). */
  department: DepartmentCode;
  /** service_code → vocabulary key; unknown codes become `other`. */
  codeTable: Open311CodeTable;
  /** Language of the request texts (Open311 carries none); default zh-CN. */
  language?: string;
}

export interface Open311Normalizer {
  /** For IngestDefinition.json: one element of a JSON array, or the object sent. */
  normalize(this: void, value: unknown, index: number, context: NormalizeContext): RecordOutcome;
  /** For IngestDefinition.json.parse: the narrow leniency of parseOpen311Json. */
  parse(this: void, text: string): unknown;
  /** A parsed `<service_requests>` or `<service_request>` document: one outcome per request. */
  normalizeXml(this: void, root: XmlElement, text: string, context: NormalizeContext): RecordOutcome[];
}

const REQUEST_ELEMENTS = ['request', 'service_request'];
export const OPEN311_ROOTS = ['service_requests', 'service_request'];
const checkRequest = validator(Open311ServiceRequest);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function idOf(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number'
    ? String(value).trim() || undefined
    : undefined;
}

/** What a person sees of a value: text trimmed, null and '' absent. */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  return value.trim() || undefined;
}

interface Where {
  /** Path of a field of this record, for refusals: JSON Pointer or XPath-like. */
  at(field: string): string;
  format: FeedFormat;
  contentType: string;
  raw: string;
}

/**
 * The reply to `POST /requests` repeats `service_request_id` (or a `token`) with a notice and an
 * account id, but none of what makes a request: it tells the sender its request was filed and is
 * no request itself.
 */
function postResponseIssue(record: Record<string, unknown>, where: Where): RecordIssue | undefined {
  const hasId = idOf(record['service_request_id']) !== undefined || idOf(record['token']) !== undefined;
  const hasRequest = ['service_code', 'status', 'requested_datetime'].some((f) => textOf(record[f]));
  if (!hasId || hasRequest) return undefined;
  return {
    pointer: where.at(''),
    code: 'not_a_service_request',
    message:
      'this is the reply to POST /requests (service_request_id, service_notice, account_id), not a service request: send the request as GET /requests/{id} returns it, with service_code, status and requested_datetime',
  };
}

function locationOf(
  request: Open311ServiceRequest,
  crs: Crs,
  where: Where,
): { location?: NormalizedEvent['location']; issue?: RecordIssue } {
  const lat = textOf(request.lat);
  const lon = textOf(request.long);
  if (lat === undefined && lon === undefined) {
    if (textOf(request.address) !== undefined) return {};
    return {
      issue: {
        pointer: where.at('lat'),
        code: 'missing_location',
        message: 'the request says nowhere where it is: give lat and long, or address',
      },
    };
  }
  if (lat === undefined || lon === undefined) {
    return {
      issue: {
        pointer: where.at(lat === undefined ? 'lat' : 'long'),
        code: 'invalid_coordinates',
        message: 'give both lat and long, or neither',
      },
    };
  }
  const converted = toWgs84(Number(lon), Number(lat), crs, '');
  if (converted.ok) return { location: converted.point };
  // toWgs84 names /lon or /lat, or '' for a pair outside the CRS's domain: Open311 calls them long and lat.
  const field = ({ '/lon': 'long', '/lat': 'lat' } as Record<string, string>)[converted.issue.pointer] ?? '';
  return {
    issue: { pointer: where.at(field), code: 'invalid_coordinates', message: converted.issue.message },
  };
}

function mediaUrlOf(value: unknown, where: Where): { url?: string; issue?: RecordIssue } {
  const url = textOf(value);
  if (url === undefined) return {};
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return { url };
  } catch {
    // reported below
  }
  return {
    issue: {
      pointer: where.at('media_url'),
      code: 'invalid_field',
      message: `"${url}" is not an http or https URL`,
    },
  };
}

/**
 * Open311 GeoReport v2 service requests (JSON and XML) → request events of urban management
 * or market supervision. Checks the code table against the department's vocabulary once, here.
 */
export function createOpen311Normalizer(options: Open311Options): Open311Normalizer {
  const { department, codeTable } = options;
  const vocabulary = VOCABULARIES[department];
  if (!Object.hasOwn(vocabulary, 'other')) {
    throw new Error(`Open311: the ${department} vocabulary has no "other" type for unknown service codes`);
  }
  const wrong = Object.entries(codeTable).filter(([, key]) => !Object.hasOwn(vocabulary, key));
  if (wrong.length > 0) {
    throw new Error(
      `Open311 code table: ${wrong.map(([code, key]) => `${code} → "${key}"`).join(', ')} not in the ${department} vocabulary (${Object.keys(vocabulary).join(', ')})`,
    );
  }
  const language = options.language ?? 'zh-CN';

  function normalizeRequest(
    value: unknown,
    index: number,
    context: NormalizeContext,
    where: Where,
  ): RecordOutcome {
    if (context.department !== department) {
      throw new Error(`Open311 normalizer of ${department} called for ${context.department}`);
    }
    if (!isRecord(value)) {
      return rejected(index, where.raw, [
        {
          pointer: where.at(''),
          code: 'invalid_field',
          message: 'a service request is an object of its fields',
        },
      ]);
    }
    const sourceId = idOf(value['service_request_id']);
    const post = postResponseIssue(value, where);
    if (post) return rejected(index, where.raw, [post], sourceId);
    if (!checkRequest.check(value)) {
      const issues = checkRequest.issues(value).map((issue) => ({
        pointer: where.at(issue.pointer.slice(1)),
        code: 'invalid_field',
        message: issue.message,
      }));
      return rejected(index, where.raw, issues, sourceId);
    }
    const request = value;
    const id = sourceId as string;
    const issues: RecordIssue[] = [];
    const occurredAt = toUtc(request.requested_datetime) as string;
    const skew = futureSkewIssue(occurredAt, context.receivedAt, where.at('requested_datetime'));
    if (skew) issues.push(skew);
    const updatedAt = toUtc(request.updated_datetime);
    const updateSkew = futureSkewIssue(updatedAt, context.receivedAt, where.at('updated_datetime'));
    if (updateSkew) issues.push(updateSkew);
    const { location, issue: locationIssue } = locationOf(request, context.defaultCrs, where);
    if (locationIssue) issues.push(locationIssue);
    const { url: mediaUrl, issue: mediaIssue } = mediaUrlOf(request.media_url, where);
    if (mediaIssue) issues.push(mediaIssue);
    const drill = extensionStatus(request['liandong_status'], where.at('liandong_status'));
    if (drill.issue) issues.push(drill.issue);
    if (issues.length > 0) return rejected(index, where.raw, issues, id);

    const serviceCode = String(request.service_code).trim();
    const key = Object.hasOwn(codeTable, serviceCode) ? (codeTable[serviceCode] as string) : 'other';
    const entry = vocabulary[key] as (typeof vocabulary)[string];
    const description = textOf(request.description);
    // A request is revised in place upstream (status, notes, updated_datetime). Its first state is
    // the Alert, keyed by service_request_id; a later state is an Update of it, keyed by the id and
    // the time it was updated, so that each state is taken once and a resend stays a duplicate.
    const revision = isRevision(occurredAt, updatedAt);
    const sourceKey = revision ? `${id}@${updatedAt}` : id;
    const event: NormalizedEvent = {
      id: eventIdFor(department, sourceKey),
      department,
      source: {
        system: context.sourceSystem,
        format: where.format,
        id: sourceKey,
        ...(location ? { crs: context.defaultCrs } : {}),
      },
      kind: 'request',
      category: entry.category,
      type: `${department}.${key}`,
      severity: entry.severity,
      status: drill.status ?? 'Actual',
      msgType: revision ? 'Update' : 'Alert',
      references: revision ? [eventIdFor(department, id)] : [],
      occurredAt,
      receivedAt: context.receivedAt.toISOString(),
      ...compact({ location, address: textOf(request.address) }),
      title: entry.name,
      texts: description ? [{ language, description }] : [],
      measurements: [],
      attributes: {
        serviceRequestId: id,
        serviceCode,
        status: request.status,
        ...compact({
          serviceName: textOf(request.service_name),
          statusNotes: textOf(request.status_notes),
          agencyResponsible: textOf(request.agency_responsible),
          serviceNotice: textOf(request.service_notice),
          updatedAt,
          expectedAt: toUtc(request.expected_datetime),
          addressId: idOf(request.address_id),
          zipcode: idOf(request.zipcode),
          mediaUrl,
        }),
      },
      geocodes: [],
      raw: { contentType: where.contentType, body: where.raw },
    };
    return { ok: true, index, event, raw: where.raw };
  }

  return {
    parse: parseOpen311Json,
    normalize(value, index, context) {
      const raw = JSON.stringify(value);
      return normalizeRequest(value, index, context, {
        at: (field) => (field === '' ? '' : `/${field}`),
        format: 'open311-v2-json',
        contentType: 'application/json',
        raw,
      });
    },
    normalizeXml(root, text, context) {
      const elements = root.name === 'service_request' ? [root] : root.children;
      if (!OPEN311_ROOTS.includes(root.name)) {
        throw new AppError(
          'validation_failed',
          `an Open311 document is <service_requests>, not <${root.name}>`,
        );
      }
      if (elements.length === 0) {
        throw new AppError('validation_failed', 'the <service_requests> document holds no <request>');
      }
      return elements.map((element, index) => {
        const where: Where = {
          at: (field) => (field === '' ? element.path : `${element.path}/${field}`),
          format: 'open311-v2-xml',
          contentType: 'application/xml',
          raw: text.slice(element.start, element.end),
        };
        if (element !== root && (!REQUEST_ELEMENTS.includes(element.name) || element.uri !== root.uri)) {
          return rejected(index, where.raw, [
            {
              pointer: element.path,
              code: 'unexpected_element',
              message: `<${element.name}> is no Open311 request: <service_requests> holds <request> elements`,
            },
          ]);
        }
        const record: Record<string, string> = {};
        for (const child of element.children) {
          const value = child.text.trim();
          if (value !== '' && child.uri === element.uri && !Object.hasOwn(record, child.name)) {
            record[child.name] = value;
          }
        }
        return normalizeRequest(record, index, context, where);
      });
    },
  };
}
