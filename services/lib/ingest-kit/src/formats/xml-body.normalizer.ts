import { AppError } from '@liandong/errors';
import type { NormalizeContext, RecordOutcome } from '../domain/outcome.ts';
import { normalizeCapAlert } from './cap.normalizer.ts';
import { CAP_NAMESPACE } from './cap.parser.ts';
import { OPEN311_ROOTS, type Open311Normalizer } from './open311.normalizer.ts';
import { parseXml } from './xml.parser.ts';

export interface XmlBodyOptions {
  /** Given to the services that take Open311 (urban, market). */
  open311?: Open311Normalizer;
}

/**
 * For IngestDefinition.xml: parses a pushed XML body once, safely, and tells the formats apart
 * by the root element, whatever its prefix: a CAP 1.2 `alert` (every department), Open311
 * `service_requests` / `service_request` (when the service takes Open311).
 */
export function normalizeXmlBody(
  text: string,
  context: NormalizeContext,
  options: XmlBodyOptions = {},
): RecordOutcome[] {
  const root = parseXml(text);
  if (root.name === 'alert') return [normalizeCapAlert(root, text, 0, context)];
  if (OPEN311_ROOTS.includes(root.name) && options.open311) {
    return options.open311.normalizeXml(root, text, context);
  }
  const accepted = [`CAP 1.2 <alert xmlns="${CAP_NAMESPACE}">`];
  if (options.open311) accepted.push('Open311 <service_requests>');
  throw new AppError(
    'validation_failed',
    `the root element <${root.name}> is not a format this service takes: send ${accepted.join(' or ')}`,
    { errors: [{ pointer: root.path, code: 'unknown_root', message: `send ${accepted.join(' or ')}` }] },
  );
}
