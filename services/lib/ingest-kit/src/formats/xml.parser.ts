import { SaxesParser, type SaxesTagNS } from 'saxes';
import { MAX_BODY_BYTES } from '@liandong/contracts';
import { AppError } from '@liandong/errors';

/** One element of a parsed document: what the CAP and Open311 readers need, nothing more. */
export interface XmlElement {
  /** Local name, without the prefix. */
  readonly name: string;
  /** Namespace URI, '' when the element is in no namespace. */
  readonly uri: string;
  /** Attributes by qualified name as written (`xmlns` declarations included). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Character data directly inside this element (CDATA included), untrimmed. */
  readonly text: string;
  /** XPath-like path for messages, e.g. `/alert/info[2]/area/polygon`. */
  readonly path: string;
  /** Where the start tag is (1-based line and column). */
  readonly line: number;
  readonly column: number;
  /** Offsets of the element in the source text: `source.slice(start, end)` is the element as sent. */
  readonly start: number;
  readonly end: number;
}

export interface XmlLimits {
  /** Deepest nesting of elements (the root is depth 1). */
  maxDepth: number;
  /** Elements in the whole document. */
  maxElements: number;
  /** Characters of text in one element. */
  maxTextLength: number;
  /** Characters in the whole document. */
  maxDocumentLength: number;
}

/**
 * Defaults: CAP alerts nest 4 deep and Open311 batches 3, so 64 is far beyond any honest
 * document; 100,000 elements hold a batch of 1,000 requests with room to spare; the body limit
 * of the ingest services bounds the document.
 */
export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxDepth: 64,
  maxElements: 100_000,
  maxTextLength: 1024 * 1024,
  maxDocumentLength: MAX_BODY_BYTES,
};

const ACCEPTED_ENCODINGS = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);

interface Building {
  name: string;
  uri: string;
  attributes: Record<string, string>;
  children: Building[];
  text: string;
  path: string;
  line: number;
  column: number;
  start: number;
  end: number;
}

function unsafe(message: string, line?: number, column?: number): AppError {
  const where = line === undefined ? '' : ` (line ${line}, column ${column})`;
  return new AppError('unsafe_xml', `${message}${where}`, {
    errors: [{ pointer: '', code: 'unsafe_xml', message }],
  });
}

/** Gives each element an XPath-like path; a position only where same-named siblings exist. */
function assignPaths(element: Building, path: string): void {
  element.path = path;
  if (element.children.length === 0) return;
  const counts = new Map<string, number>();
  for (const child of element.children) {
    const key = `${child.uri}\u0000${child.name}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  for (const child of element.children) {
    const key = `${child.uri}\u0000${child.name}`;
    const position = (seen.get(key) ?? 0) + 1;
    seen.set(key, position);
    const suffix = (counts.get(key) ?? 0) > 1 ? `[${position}]` : '';
    assignPaths(child, `${path}/${child.name}${suffix}`);
  }
}

/**
 * Parses an XML document into an element tree, safely: namespace-aware (saxes), no DTD at all
 * (a DOCTYPE is refused before anything it declares could be used, so there are no external
 * entities and no entity expansion), and bounded depth, element count and text size. Only the
 * five predefined entities and character references are expanded.
 *
 * Throws AppError `unsafe_xml` for forbidden constructs and exceeded limits, `malformed_body`
 * for anything that is not well-formed XML, with the line and column.
 */
export function parseXml(text: string, limits: Partial<XmlLimits> = {}): XmlElement {
  const bounds: XmlLimits = { ...DEFAULT_XML_LIMITS, ...limits };
  if (text.length > bounds.maxDocumentLength) {
    throw unsafe(
      `the XML document has ${text.length} characters, more than the ${bounds.maxDocumentLength} accepted: split it`,
    );
  }
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: Building[] = [];
  const locate = locator(text);
  let root: Building | undefined;
  let elements = 0;
  let tagStart = 0;

  parser.on('error', (error) => {
    const reason = error.message.replace(/^\d+:\d+:\s*/, '').replace(/\.$/, '');
    throw new AppError(
      'malformed_body',
      `the body is not well-formed XML at line ${parser.line}, column ${parser.column}: ${reason}`,
      { errors: [{ pointer: '', code: 'malformed_xml', message: reason }] },
    );
  });
  parser.on('xmldecl', (declaration) => {
    const encoding = declaration.encoding?.toLowerCase();
    if (encoding !== undefined && !ACCEPTED_ENCODINGS.has(encoding)) {
      throw new AppError(
        'malformed_body',
        `the XML declaration says encoding="${declaration.encoding}", but bodies are read as UTF-8: encode the document in UTF-8 and declare it so`,
        { errors: [{ pointer: '', code: 'unsupported_encoding', message: 'encode the document in UTF-8' }] },
      );
    }
  });
  parser.on('doctype', () => {
    throw unsafe(
      'the XML document has a DOCTYPE: document type declarations (and the ENTITY declarations inside them) are refused, since they allow external entities and entity-expansion attacks; send the document without a DOCTYPE',
      parser.line,
      parser.column,
    );
  });
  parser.on('opentagstart', () => {
    elements += 1;
    if (elements > bounds.maxElements) {
      throw unsafe(
        `the XML document has more than ${bounds.maxElements} elements: split it`,
        parser.line,
        parser.column,
      );
    }
    if (stack.length + 1 > bounds.maxDepth) {
      throw unsafe(
        `the XML document nests elements more than ${bounds.maxDepth} deep`,
        parser.line,
        parser.column,
      );
    }
    // The tag's '<' is the last one before the parser's position: a name holds none.
    tagStart = text.lastIndexOf('<', parser.position - 1);
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const attributes: Record<string, string> = {};
    for (const [name, attribute] of Object.entries(tag.attributes)) attributes[name] = attribute.value;
    const start = tagStart;
    const { line, column } = locate(start);
    const element: Building = {
      name: tag.local,
      uri: tag.uri,
      attributes,
      children: [],
      text: '',
      path: '',
      line,
      column,
      start,
      end: start,
    };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  const onText = (data: string) => {
    const current = stack[stack.length - 1];
    if (!current) return;
    if (current.text.length + data.length > bounds.maxTextLength) {
      throw unsafe(
        `the text of <${current.name}> is longer than ${bounds.maxTextLength} characters`,
        parser.line,
        parser.column,
      );
    }
    current.text += data;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const element = stack.pop();
    if (element) element.end = parser.position;
  });

  parser.write(text).close();
  if (!root) throw new AppError('malformed_body', 'the XML document has no root element');
  assignPaths(root, `/${root.name}`);
  return root;
}

/** Line and column (1-based) of ever-increasing offsets, in one pass over the text. */
function locator(text: string): (offset: number) => { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  let next = text.indexOf('\n');
  return (offset) => {
    while (next !== -1 && next < offset) {
      line += 1;
      lineStart = next + 1;
      next = text.indexOf('\n', lineStart);
    }
    return { line, column: offset - lineStart + 1 };
  };
}

/** The children of `element` with this local name (and namespace URI, when given). */
export function childElements(element: XmlElement, name: string, uri?: string): XmlElement[] {
  return element.children.filter((c) => c.name === name && (uri === undefined || c.uri === uri));
}

/** The first child with this local name (and namespace URI, when given). */
export function childElement(element: XmlElement, name: string, uri?: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name && (uri === undefined || c.uri === uri));
}

/** The trimmed text of the first such child; undefined when it is absent or empty. */
export function childText(element: XmlElement, name: string, uri?: string): string | undefined {
  const text = childElement(element, name, uri)?.text.trim();
  return text === undefined || text === '' ? undefined : text;
}

const escapeAttribute = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('"', '&quot;');

/**
 * The element's text as sent, made a document of its own: the namespace declarations in scope
 * where it stood (on its ancestors, root first) are copied onto its start tag, unless it declares
 * the same prefix itself. A `<cap:alert>` inside an Atom feed whose root declares `xmlns:cap`
 * then parses alone, and means what it meant in the feed.
 */
export function standaloneElement(
  source: string,
  element: XmlElement,
  ancestors: readonly XmlElement[],
): string {
  const text = source.slice(element.start, element.end);
  const inScope = new Map<string, string>();
  for (const ancestor of ancestors) {
    for (const [name, value] of Object.entries(ancestor.attributes)) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) inScope.set(name, value);
    }
  }
  for (const name of Object.keys(element.attributes)) inScope.delete(name);
  if (inScope.size === 0) return text;
  const nameEnd = text.slice(1).search(/[\s/>]/) + 1;
  const declarations = [...inScope].map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`).join('');
  return `${text.slice(0, nameEnd)}${declarations}${text.slice(nameEnd)}`;
}
