import { describe, expect, it } from 'vitest';
import { thrownAppError } from '../normalize-testing.ts';
import { childElement, childElements, childText, parseXml } from './xml.parser.ts';

const CAP_NS = 'urn:oasis:names:tc:emergency:cap:1.2';

describe('parseXml', () => {
  it('given prefixed and default namespaces, then elements match on local name and namespace URI', () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>
<cap:alert xmlns:cap="${CAP_NS}" xmlns:x="urn:other">
  <cap:identifier> ID-1 </cap:identifier>
  <x:identifier>other</x:identifier>
  <cap:info><cap:headline><![CDATA[<b>bold</b> & co]]></cap:headline></cap:info>
  <cap:info><cap:headline>a &amp; b &#x4E2D;</cap:headline></cap:info>
</cap:alert>`;
    const root = parseXml(text);
    expect(root).toMatchObject({ name: 'alert', uri: CAP_NS, path: '/alert', line: 2, column: 1 });
    expect(childText(root, 'identifier', CAP_NS)).toBe('ID-1');
    expect(childText(root, 'identifier', 'urn:other')).toBe('other');
    const infos = childElements(root, 'info', CAP_NS);
    expect(infos.map((i) => i.path)).toEqual(['/alert/info[1]', '/alert/info[2]']);
    expect(childText(infos[0]!, 'headline', CAP_NS)).toBe('<b>bold</b> & co');
    expect(childText(infos[1]!, 'headline', CAP_NS)).toBe('a & b 中');
    expect(childElement(infos[1]!, 'headline')?.path).toBe('/alert/info[2]/headline');
  });

  it('given a document, then each element knows where it stands in the source', () => {
    const text = '\uFEFF<list>\n  <item id="1">one</item>\n  <item id="2"/>\n</list>';
    const root = parseXml(text);
    const [first, second] = root.children;
    expect(text.slice(first!.start, first!.end)).toBe('<item id="1">one</item>');
    expect(text.slice(second!.start, second!.end)).toBe('<item id="2"/>');
    expect(second).toMatchObject({ line: 3, column: 3, attributes: { id: '2' } });
  });

  it('given an XXE attempt with SYSTEM "file:///etc/passwd", then it is refused as unsafe before any entity is read', () => {
    const error = thrownAppError(() =>
      parseXml(
        '<?xml version="1.0"?>\n<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<alert>&xxe;</alert>',
      ),
    );
    expect(error.code).toBe('unsafe_xml');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/DOCTYPE/);
    expect(error.message).toMatch(/line 2/);
  });

  it('given a billion-laughs document, then it is refused at once', () => {
    const lol = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      ' <!ENTITY lol "lol">',
      ...Array.from(
        { length: 9 },
        (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
      ),
      ']>',
      '<lolz>&lol9;</lolz>',
    ].join('\n');
    const started = Date.now();
    const error = thrownAppError(() => parseXml(lol));
    expect(error.code).toBe('unsafe_xml');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('given a DOCTYPE without entities, then it is refused all the same', () => {
    expect(
      thrownAppError(() => parseXml('<!DOCTYPE alert SYSTEM "http://example.org/x.dtd"><alert/>')).code,
    ).toBe('unsafe_xml');
  });

  it('given an entity that no one declared, then the body is malformed with its line and column', () => {
    const error = thrownAppError(() => parseXml('<alert>\n  <note>&xxe;</note>\n</alert>'));
    expect(error.code).toBe('malformed_body');
    expect(error.message).toMatch(/line 2, column \d+: undefined entity/);
  });

  it('given nesting deeper than the limit, then it is refused as unsafe', () => {
    const deep = `${'<a>'.repeat(65)}${'</a>'.repeat(65)}`;
    const error = thrownAppError(() => parseXml(deep));
    expect(error.code).toBe('unsafe_xml');
    expect(error.message).toMatch(/more than 64 deep/);
    expect(() => parseXml(`${'<a>'.repeat(64)}${'</a>'.repeat(64)}`)).not.toThrow();
  });

  it('given a huge document, then it is refused by size, by element count and by text length', () => {
    const many = `<r>${'<i/>'.repeat(2001)}</r>`;
    expect(thrownAppError(() => parseXml(many, { maxElements: 2000 })).message).toMatch(
      /more than 2000 elements/,
    );
    expect(() => parseXml(many, { maxElements: 2002 })).not.toThrow();
    const big = `<r>${'x'.repeat(6 * 1024 * 1024)}</r>`;
    const bySize = thrownAppError(() => parseXml(big));
    expect(bySize.code).toBe('unsafe_xml');
    expect(bySize.message).toMatch(/more than the 5242880 accepted/);
    const longText = thrownAppError(() => parseXml(`<r>${'x'.repeat(2000)}</r>`, { maxTextLength: 1000 }));
    expect(longText.code).toBe('unsafe_xml');
    expect(longText.message).toMatch(/text of <r> is longer than 1000/);
  });

  it('given malformed XML, then the message names line and column', () => {
    const error = thrownAppError(() => parseXml('<alert>\n  <info>\n</alert>'));
    expect(error.code).toBe('malformed_body');
    expect(error.message).toMatch(/^the body is not well-formed XML at line 3, column \d+: /);
    expect(thrownAppError(() => parseXml('<a/><b/>')).message).toMatch(/only one root/);
    expect(thrownAppError(() => parseXml('')).code).toBe('malformed_body');
    expect(thrownAppError(() => parseXml('<p:a/>')).message).toMatch(/unbound namespace prefix/);
  });

  it('given a declared encoding other than UTF-8, then it is refused with what to do', () => {
    const error = thrownAppError(() => parseXml('<?xml version="1.0" encoding="GB2312"?><a/>'));
    expect(error.code).toBe('malformed_body');
    expect(error.message).toMatch(/encode the document in UTF-8/);
  });
});
