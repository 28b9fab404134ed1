import { dateTimeIssue, type NamedValue } from '@liandong/contracts';
import type { RecordIssue } from '../domain/outcome.ts';
import { compact } from '../domain/compact.ts';
import { toUtc } from '../domain/time.ts';
import { childElement, childElements, childText, type XmlElement } from './xml.parser.ts';

export const CAP_NAMESPACE = 'urn:oasis:names:tc:emergency:cap:1.2';

export const CAP_STATUSES = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const;
export const CAP_MSG_TYPES = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const;
export const CAP_SCOPES = ['Public', 'Restricted', 'Private'] as const;
export const CAP_CATEGORIES = [
  'Geo',
  'Met',
  'Safety',
  'Security',
  'Rescue',
  'Fire',
  'Health',
  'Env',
  'Transport',
  'Infra',
  'CBRNE',
  'Other',
] as const;
export const CAP_URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export const CAP_SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
export const CAP_CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;
export const CAP_RESPONSE_TYPES = [
  'Shelter',
  'Evacuate',
  'Prepare',
  'Execute',
  'Avoid',
  'Monitor',
  'Assess',
  'AllClear',
  'None',
] as const;

export type CapCategory = (typeof CAP_CATEGORIES)[number];

/** A place in the document and its text: kept together so that every refusal can name its path. */
export interface Located {
  text: string;
  path: string;
}

export interface CapReference {
  sender: string;
  identifier: string;
  sent: string;
}

export interface CapArea {
  path: string;
  areaDesc: string;
  polygons: Located[];
  circles: Located[];
  geocodes: NamedValue[];
}

export interface CapInfo {
  path: string;
  /** BCP 47; CAP's default is en-US. */
  language: string;
  categories: CapCategory[];
  event: string;
  responseTypes: (typeof CAP_RESPONSE_TYPES)[number][];
  urgency: string;
  severity: (typeof CAP_SEVERITIES)[number];
  certainty: string;
  eventCodes: NamedValue[];
  /** UTC ISO strings. */
  effective?: string;
  onset?: string;
  expires?: string;
  senderName?: string;
  headline?: string;
  description?: string;
  instruction?: string;
  web?: string;
  areas: CapArea[];
}

/** A CAP 1.2 alert read from its element tree; times are UTC ISO strings. */
export interface CapAlert {
  identifier: string;
  sender: string;
  sent: string;
  status: (typeof CAP_STATUSES)[number];
  msgType: (typeof CAP_MSG_TYPES)[number];
  scope: string;
  source?: string;
  incidents?: string;
  references: CapReference[];
  infos: CapInfo[];
}

export type CapReadResult =
  { ok: true; alert: CapAlert } | { ok: false; issues: RecordIssue[]; sourceId?: string };

/** The key CAP itself identifies a message by: sender and identifier (CAP 1.2, 3.2.1). */
export function capKey(sender: string, identifier: string): string {
  return `${sender},${identifier}`;
}

// CAP 1.2: identifier and sender "MUST NOT include spaces, commas or restricted characters (< and &)".
const CAP_ID = /^[^\s,<&]+$/;

class Reader {
  readonly issues: RecordIssue[] = [];

  constructor(private readonly ns: string) {}

  text(parent: XmlElement, name: string, required: boolean): string | undefined {
    const value = childText(parent, name, this.ns);
    if (value === undefined && required) {
      this.issues.push({
        pointer: `${parent.path}/${name}`,
        code: 'missing_field',
        message: `<${name}> is required by CAP 1.2 and is missing or empty`,
      });
    }
    return value;
  }

  oneOf<T extends string>(
    parent: XmlElement,
    name: string,
    allowed: readonly T[],
    required: boolean,
  ): T | undefined {
    const value = this.text(parent, name, required);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      this.issues.push({
        pointer: `${parent.path}/${name}`,
        code: 'invalid_field',
        message: `"${value}" is not a CAP 1.2 ${name}: use one of ${allowed.join(', ')}`,
      });
      return undefined;
    }
    return value as T;
  }

  /** Every `name` child, each of which must be one of `allowed`. */
  allOf<T extends string>(parent: XmlElement, name: string, allowed: readonly T[]): T[] {
    const values: T[] = [];
    for (const element of childElements(parent, name, this.ns)) {
      const value = element.text.trim();
      if ((allowed as readonly string[]).includes(value)) values.push(value as T);
      else {
        this.issues.push({
          pointer: element.path,
          code: 'invalid_field',
          message: `"${value}" is not a CAP 1.2 ${name}: use one of ${allowed.join(', ')}`,
        });
      }
    }
    return values;
  }

  time(parent: XmlElement, name: string, required: boolean): string | undefined {
    const value = this.text(parent, name, required);
    if (value === undefined) return undefined;
    const utc = toUtc(value);
    if (utc === undefined) {
      this.issues.push({
        pointer: `${parent.path}/${name}`,
        code: 'invalid_time',
        message: dateTimeIssue(value),
      });
    }
    return utc;
  }

  id(parent: XmlElement, name: string): string | undefined {
    const value = this.text(parent, name, true);
    if (value !== undefined && !CAP_ID.test(value)) {
      this.issues.push({
        pointer: `${parent.path}/${name}`,
        code: 'invalid_field',
        message: `"${value}": a CAP ${name} must not contain spaces, commas, "<" or "&" (CAP 1.2, 3.2.1)`,
      });
      return undefined;
    }
    return value;
  }

  namedValues(parent: XmlElement, name: string): NamedValue[] {
    return childElements(parent, name, this.ns).map((element) => ({
      valueName: childText(element, 'valueName', this.ns) ?? '',
      value: childText(element, 'value', this.ns) ?? '',
    }));
  }

  references(alert: XmlElement): CapReference[] {
    const element = childElement(alert, 'references', this.ns);
    const references: CapReference[] = [];
    for (const triple of element?.text.trim().split(/\s+/).filter(Boolean) ?? []) {
      const [sender, identifier, sent, ...rest] = triple.split(',');
      if (!sender || !identifier || !sent || rest.length > 0) {
        this.issues.push({
          pointer: element?.path ?? `${alert.path}/references`,
          code: 'invalid_reference',
          message: `"${triple}" is not a "sender,identifier,sent" triple (CAP 1.2 references)`,
        });
        continue;
      }
      references.push({ sender, identifier, sent });
    }
    return references;
  }

  area(element: XmlElement): CapArea {
    const located = (name: string): Located[] =>
      childElements(element, name, this.ns).map((e) => ({ text: e.text, path: e.path }));
    return {
      path: element.path,
      areaDesc: this.text(element, 'areaDesc', true) ?? '',
      polygons: located('polygon'),
      circles: located('circle'),
      geocodes: this.namedValues(element, 'geocode'),
    };
  }

  info(element: XmlElement): CapInfo | undefined {
    const categories = this.allOf(element, 'category', CAP_CATEGORIES);
    if (childElements(element, 'category', this.ns).length === 0) {
      this.issues.push({
        pointer: `${element.path}/category`,
        code: 'missing_field',
        message: '<category> is required by CAP 1.2 (at least one per info)',
      });
    }
    const event = this.text(element, 'event', true);
    const urgency = this.oneOf(element, 'urgency', CAP_URGENCIES, true);
    const severity = this.oneOf(element, 'severity', CAP_SEVERITIES, true);
    const certainty = this.oneOf(element, 'certainty', CAP_CERTAINTIES, true);
    const responseTypes = this.allOf(element, 'responseType', CAP_RESPONSE_TYPES);
    const effective = this.time(element, 'effective', false);
    const onset = this.time(element, 'onset', false);
    const expires = this.time(element, 'expires', false);
    if (event === undefined || urgency === undefined || severity === undefined || certainty === undefined) {
      return undefined;
    }
    const text = (name: string) => childText(element, name, this.ns);
    return {
      path: element.path,
      language: childText(element, 'language', this.ns) ?? 'en-US',
      categories,
      event,
      responseTypes,
      urgency,
      severity,
      certainty,
      eventCodes: this.namedValues(element, 'eventCode'),
      ...compact({
        effective,
        onset,
        expires,
        senderName: text('senderName'),
        headline: text('headline'),
        description: text('description'),
        instruction: text('instruction'),
        web: text('web'),
      }),
      areas: childElements(element, 'area', this.ns).map((area) => this.area(area)),
    };
  }
}

/**
 * Reads a CAP 1.2 `<alert>` element (in the CAP namespace, any prefix) into a CapAlert, with a
 * refusal naming the XPath-like path of every missing or invalid element. Elements of other
 * namespaces (an XML signature) are ignored.
 */
export function readCapAlert(root: XmlElement): CapReadResult {
  const reader = new Reader(CAP_NAMESPACE);
  if (root.name !== 'alert' || root.uri !== CAP_NAMESPACE) {
    const namespace = root.uri === '' ? 'no namespace' : `namespace "${root.uri}"`;
    return {
      ok: false,
      issues: [
        {
          pointer: root.path,
          code: 'not_cap_1_2',
          message: `the root element is <${root.name}> in ${namespace}; a CAP 1.2 alert is <alert xmlns="${CAP_NAMESPACE}">`,
        },
      ],
    };
  }
  const identifier = reader.id(root, 'identifier');
  const sender = reader.id(root, 'sender');
  const sent = reader.time(root, 'sent', true);
  const status = reader.oneOf(root, 'status', CAP_STATUSES, true);
  const msgType = reader.oneOf(root, 'msgType', CAP_MSG_TYPES, true);
  const scope = reader.oneOf(root, 'scope', CAP_SCOPES, true);
  const references = reader.references(root);
  const infos = childElements(root, 'info', CAP_NAMESPACE).map((info) => reader.info(info));
  const sourceId = sender !== undefined && identifier !== undefined ? capKey(sender, identifier) : undefined;
  if (
    reader.issues.length > 0 ||
    identifier === undefined ||
    sender === undefined ||
    sent === undefined ||
    status === undefined ||
    msgType === undefined ||
    scope === undefined
  ) {
    return sourceId === undefined
      ? { ok: false, issues: reader.issues }
      : { ok: false, issues: reader.issues, sourceId };
  }
  return {
    ok: true,
    alert: {
      identifier,
      sender,
      sent,
      status,
      msgType,
      scope,
      ...compact({
        source: childText(root, 'source', CAP_NAMESPACE),
        incidents: childText(root, 'incidents', CAP_NAMESPACE),
      }),
      references,
      infos: infos.filter((info): info is CapInfo => info !== undefined),
    },
  };
}
