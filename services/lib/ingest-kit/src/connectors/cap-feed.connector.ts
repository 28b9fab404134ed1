import { AppError, toAppError } from '@liandong/errors';
import {
  childElement,
  childElements,
  childText,
  parseXml,
  standaloneElement,
  type XmlElement,
} from '../formats/xml.parser.ts';
import { rejected, type NormalizeContext, type RecordOutcome } from '../domain/outcome.ts';
import { MAX_FUTURE_SKEW_MS } from '../domain/time.ts';
import type { PullConnector, PullPage, UpstreamOptions } from './connector.ts';
import { fetchText, maskUrls, upstreamScope } from './http.ts';

const ATOM = 'http://www.w3.org/2005/Atom';
const CAP = 'urn:oasis:names:tc:emergency:cap:1.2';

export interface CapFeedConnectorOptions {
  /** An Atom or RSS 2.0 feed whose entries are CAP 1.2 alerts (inline, or linked). */
  feedUrl: string;
  intervalMs: number;
  /** Most alerts taken per poll; the rest follow at once. */
  maxEntries?: number;
  /**
   * Polls on which a linked alert that failed for a passing reason (5xx, 408, 429, network,
   * timeout) is tried again before it is dead-lettered; default 5.
   */
  maxEntryAttempts?: number;
  normalizeCap(this: void, text: string, context: NormalizeContext): RecordOutcome[];
  upstream?: UpstreamOptions;
}

/** A linked alert waiting for another try. */
interface PendingEntry {
  id: string;
  updated: string;
  link: string;
  path: string;
  raw: string;
  attempts: number;
  /** Not tried again before this time (a poll interval after the last try). */
  after: string;
}

interface Cursor {
  /** Newest entry time taken (never beyond the receipt time plus the tolerated skew). */
  since?: string;
  /** Ids of the entries taken at or after `since` (feeds often stamp several alerts alike). */
  seen: string[];
  retry?: PendingEntry[];
}

export interface FeedEntry {
  id: string;
  updated: string;
  inline?: string;
  link?: string;
  /** Where the entry is in the feed, for dead letters (`/feed/entry[3]`). */
  path: string;
  /** The entry as sent (the dead letter's payload when it fails). */
  raw: string;
}

/** Linked alerts waiting for another try, at most; beyond it the oldest are dead-lettered. */
const MAX_PENDING = 100;
const MAX_PENDING_RAW = 4096;

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

/** Reads the entries of an Atom feed or an RSS 2.0 channel, oldest first. */
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
        path: entry.path,
        raw: text.slice(entry.start, entry.end),
        // The alert may use prefixes the feed declared on its root: it is read as a document of its own.
        ...(alert && content ? { inline: standaloneElement(text, alert, [root, entry, content]) } : {}),
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
      entries.push({
        id,
        updated,
        path: item.path,
        raw: text.slice(item.start, item.end),
        ...(link ? { link } : {}),
      });
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

type Entry = Pick<FeedEntry, 'id' | 'updated' | 'path' | 'raw' | 'inline' | 'link'>;

/**
 * A CAP Atom/RSS feed: entries newer than the cursor are taken oldest first, each alert read
 * inline or fetched from its link (within the feed's scope), and normalized as a pushed CAP
 * document would be. Entries fail one by one: an entry whose alert cannot be had — a link
 * answering 404, a document that is not XML, a link to a host outside the scope — is
 * dead-lettered with the reason and the cursor moves past it; a linked alert failing for a
 * passing reason (5xx, timeout) is tried again on later polls, without holding back the
 * entries after it, and dead-lettered after `maxEntryAttempts`. The cursor is the newest entry
 * time taken (never beyond the receipt time plus the tolerated skew, so one entry dated in the
 * future does not hide the ones after it) plus the ids taken at or after it.
 */
export function createCapFeedConnector(id: string, options: CapFeedConnectorOptions): PullConnector {
  const maxEntries = options.maxEntries ?? 100;
  const maxAttempts = options.maxEntryAttempts ?? 5;
  const scope = upstreamScope(options.feedUrl, options.upstream?.allowedHosts);
  const limits = options.upstream?.limits ?? {};

  /** The entry's alert, normalized; or why it could not be had. */
  async function read(entry: Entry, context: NormalizeContext, signal: AbortSignal) {
    try {
      let alert = entry.inline;
      if (alert === undefined) {
        if (!entry.link)
          throw new AppError('upstream_failed', 'the entry has no inline cap:alert and no link', {
            retriable: false,
          });
        const url = new URL(entry.link, options.feedUrl).toString();
        alert = (
          await fetchText(url, {
            ...limits,
            scope,
            signal,
            headers: { accept: 'application/cap+xml, application/xml' },
          })
        ).text;
      }
      return options.normalizeCap(alert, context);
    } catch (thrown) {
      if (signal.aborted) throw thrown;
      return toAppError(thrown);
    }
  }

  function deadLetter(entry: Entry, error: AppError, attempts: number): RecordOutcome {
    const gaveUp = attempts > 1 ? ` (gave up after ${attempts} attempts)` : '';
    return rejected(
      0,
      entry.raw,
      [
        {
          pointer: entry.path,
          code: error.errors[0]?.code ?? error.code,
          message: `${maskUrls(error.message)}${gaveUp}`,
        },
      ],
      entry.id,
    );
  }

  return {
    id,
    kind: 'cap-feed',
    source: options.feedUrl,
    intervalMs: options.intervalMs,
    async fetchPage(stored, context, signal): Promise<PullPage> {
      const cursor: Cursor = (stored as Cursor | undefined) ?? { seen: [] };
      const feed = await fetchText(options.feedUrl, {
        ...limits,
        scope,
        signal,
        headers: { accept: 'application/atom+xml, application/rss+xml, application/xml' },
      });
      const entries = readFeedEntries(feed.text);
      const seen = new Set(cursor.seen);
      const fresh = entries.filter((e) => (!cursor.since || e.updated >= cursor.since) && !seen.has(e.id));
      const taken = fresh.slice(0, maxEntries);
      const now = context.receivedAt.toISOString();

      const outcomes: RecordOutcome[] = [];
      const pending: PendingEntry[] = [];
      const settle = async (entry: Entry, attempts: number) => {
        const result = await read(entry, context, signal);
        if (Array.isArray(result)) {
          for (const outcome of result) outcomes.push({ ...outcome, index: outcomes.length });
        } else if (result.retriable && entry.link && attempts < maxAttempts) {
          pending.push({
            id: entry.id,
            updated: entry.updated,
            link: entry.link,
            path: entry.path,
            raw: entry.raw.slice(0, MAX_PENDING_RAW),
            attempts,
            after: new Date(context.receivedAt.getTime() + options.intervalMs).toISOString(),
          });
        } else {
          outcomes.push({ ...deadLetter(entry, result, attempts), index: outcomes.length });
        }
      };
      for (const entry of cursor.retry ?? []) {
        if (entry.after > now) pending.push(entry);
        else await settle(entry, entry.attempts + 1);
      }
      for (const entry of taken) await settle(entry, 1);
      for (const entry of pending.splice(0, Math.max(0, pending.length - MAX_PENDING))) {
        const error = new AppError('upstream_failed', `too many linked alerts are waiting for another try`);
        outcomes.push({ ...deadLetter(entry, error, entry.attempts), index: outcomes.length });
      }

      // The cursor moves over every entry taken, but not beyond what can honestly be "now".
      const bound = new Date(context.receivedAt.getTime() + MAX_FUTURE_SKEW_MS).toISOString();
      let since = cursor.since;
      for (const entry of taken) {
        if (entry.updated <= bound && (since === undefined || entry.updated > since)) since = entry.updated;
      }
      const takenIds = new Set([...seen, ...taken.map((e) => e.id)]);
      const next: Cursor = {
        ...(since !== undefined ? { since } : {}),
        seen: entries
          .filter((e) => takenIds.has(e.id) && (since === undefined || e.updated >= since))
          .map((e) => e.id),
        ...(pending.length > 0 ? { retry: pending } : {}),
      };
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
