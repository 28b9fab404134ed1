import { describe, expect, it } from 'vitest';
import { acceptedEvent, contextFor, fixture, thrownAppError } from '../normalize-testing.ts';
import { createOpen311Normalizer } from './open311.normalizer.ts';
import { normalizeXmlBody } from './xml-body.normalizer.ts';

const open311 = createOpen311Normalizer({ department: 'urban', codeTable: { '006': 'road_damage' } });

describe('normalizeXmlBody', () => {
  it('given a CAP alert, then the CAP normalizer takes it, in any department', () => {
    const text = fixture('cap/oasis-a2-severe-thunderstorm-polygon.xml');
    const [outcome, ...rest] = normalizeXmlBody(text, contextFor('traffic'));
    expect(rest).toEqual([]);
    expect(acceptedEvent(outcome)).toMatchObject({
      type: 'traffic.cap_alert',
      source: { format: 'cap-1.2' },
    });
  });

  it('given Open311 requests, then the Open311 normalizer takes them where the service has one', () => {
    const text = fixture('open311/cfa-get-service-requests.xml');
    expect(
      normalizeXmlBody(text, contextFor('urban'), { open311 }).map((o) => acceptedEvent(o).type),
    ).toEqual(['urban.road_damage', 'urban.road_damage']);
    const refused = thrownAppError(() => normalizeXmlBody(text, contextFor('water')));
    expect(refused.code).toBe('validation_failed');
    expect(refused.message).toBe(
      'the root element <service_requests> is not a format this service takes: send CAP 1.2 <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">',
    );
  });

  it('given another root, then a refusal naming what the service takes', () => {
    const error = thrownAppError(() =>
      normalizeXmlBody('<feed xmlns="http://www.w3.org/2005/Atom"/>', contextFor('urban'), { open311 }),
    );
    expect(error.message).toMatch(
      /<feed> is not a format this service takes: send CAP 1.2 .* or Open311 <service_requests>/,
    );
    expect(error.errors[0]).toMatchObject({ pointer: '/feed', code: 'unknown_root' });
  });

  it('given a hostile document, then it is refused before any format sees it', () => {
    const xxe = '<!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]><alert>&x;</alert>';
    expect(thrownAppError(() => normalizeXmlBody(xxe, contextFor('police'))).code).toBe('unsafe_xml');
  });
});
