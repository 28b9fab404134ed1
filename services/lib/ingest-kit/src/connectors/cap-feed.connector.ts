import { AppError } from '@liandong/errors';
import { childElement, childElements, childText, parseXml, type XmlElement } from '../formats/xml.parser.ts';
import type { NormalizeContext, RecordOutcome } from '../domain/outcome.ts';
import type { PullConnector, PullPage } from './connector.ts';
import { fetchText } from './http.ts';

const ATOM = 'http://www.w3.org/2005/Atom';
const CAP = 'urn:oasis:names:tc:emergency:cap:1.2';

export interface CapFeedConnectorOptions {
  /** An Atom or RSS 2.0 feed whose entries are CAP 1.2 alerts (inline, or linked). */
  feedUrl: string;
  intervalMs: number;
  /** Most alerts taken per poll; the rest follow at once. */
  maxEntries?: number;
  normalizeCap(this: void, text: string, context: NormalizeContext): RecordOutcome[];
}

interface Cursor {
  /** Newest entry time taken. */
  since?: string;
  /** Ids of the entries taken at exactly `since` (feeds often stamp several alerts alike). */
  seen: string[];
}

interface FeedEntry {
  id: string;
  updated: string;
  inline?: string;
  link?: string;
}

function isoOf(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const time = Date.parse(text.trim());
  return Number.isFinite(time) ? new Date(time).toISOString() : undefined;
}

function capLink(links: XmlElement[]): string | undefined {
  const withType = links.find((l) => /cap\+xml|xml/i.test(l.attributes['type'] ?? ''));
  return (withType ?? links.find((l) => (l.attributes['rel'] ?? 'alternate') === 'alternate'))?.attributes[
    'href'
  ];
}

/** Reads the entries of an Atom feed or an RSS 2.0 channel. */
export function readFeedEntries(text: string): FeedEntry[] {
  const root = parseXml(text);
  const entries: FeedEntry[] = [];
  if (root.name === 'feed' && root.uri === ATOM) {
    for (const entry of childElements(root, 'entry', ATOM)) {
      const id = childText(entry, 'id', ATOM)?.trim();
      const updated = isoOf(childText(entry, 'updated', ATOM) ?? childText(entry, 'published', ATOM));
      if (!id || !updated) continue;
      const content = childElement(entry, 'content', ATOM);
      const alert = content ? childElement(content, 'alert', CAP) : undefined;
      const link = capLink(childElements(entry, 'link', ATOM));
      entries.push({
        id,
        updated,
        ...(alert ? { inline: text.slice(alert.start, alert.end) } : {}),
        ...(link ? { link } : {}),
      });
    }
  } else if (root.name === 'rss') {
    const channel = childElement(root, 'channel');
    for (const item of channel ? childElements(channel, 'item') : []) {
      const link = childText(item, 'link')?.trim();
      const id = childText(item, 'guid')?.trim() ?? link;
      const updated = isoOf(childText(item, 'pubDate'));
      if (!id || !updated) continue;
      entries.push({ id, updated, ...(link ? { link } : {}) });
    }
  } else {
    throw new AppError(
      'upstream_failed',
      `not an Atom feed or RSS channel: the root element is <${root.name}>`,
    );
  }
  return entries.sort((a, b) =>
    a.updated < b.updated ? -1 : a.updated > b.updated ? 1 : a.id.localeCompare(b.id),
  );
}

/**
 * A CAP Atom/RSS feed: entries newer than the cursor are taken oldest first, each alert read
 * inline or fetched from its link, and normalized as a pushed CAP document would be. The cursor
 * is the newest entry time taken plus the ids taken at that time.
 */
export function createCapFeedConnector(id: string, options: CapFeedConnectorOptions): PullConnector {
  const maxEntries = options.maxEntries ?? 100;
  return {
    id,
    kind: 'cap-feed',
    source: options.feedUrl,
    intervalMs: options.intervalMs,
    async fetchPage(stored, context, signal): Promise<PullPage> {
      const cursor: Cursor = (stored as Cursor | undefined) ?? { seen: [] };
      const feed = await fetchText(options.feedUrl, {
        signal,
        headers: { accept: 'application/atom+xml, application/rss+xml, application/xml' },
      });
      const fresh = readFeedEntries(feed.text).filter(
        (e) =>
          !cursor.since ||
          e.updated > cursor.since ||
          (e.updated === cursor.since && !cursor.seen.includes(e.id)),
      );
      const taken = fresh.slice(0, maxEntries);
      const outcomes: RecordOutcome[] = [];
      for (const entry of taken) {
        let alert = entry.inline;
        if (!alert && entry.link) {
          alert = (await fetchText(new URL(entry.link, options.feedUrl).toString(), { signal })).text;
        }
        if (!alert) continue;
        for (const outcome of options.normalizeCap(alert, context)) {
          outcomes.push({ ...outcome, index: outcomes.length });
        }
      }
      const last = taken.at(-1);
      const next: Cursor = last
        ? {
            since: last.updated,
            seen: [
              ...(last.updated === cursor.since ? cursor.seen : []),
              ...taken.filter((e) => e.updated === last.updated).map((e) => e.id),
            ],
          }
        : cursor;
      return {
        outcomes,
        contentType: 'application/cap+xml',
        format: 'cap-feed',
        cursor: next,
        more: fresh.length > taken.length,
      };
    },
  };
}
