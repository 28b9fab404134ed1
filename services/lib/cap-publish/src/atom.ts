/** An Atom (RFC 4287) feed of CAP messages, each alert inline and linked. Pure. */
import { create } from 'xmlbuilder2';
import { appendAlert, CAP_MEDIA_TYPE, type CapMessage } from './cap.ts';

export const ATOM_NS = 'http://www.w3.org/2005/Atom';
export const ATOM_MEDIA_TYPE = 'application/atom+xml';

export interface AtomFeed {
  /** Absolute URL of the feed itself. */
  self: string;
  title: string;
  authorName: string;
  updated: Date;
  /** Newest first. */
  entries: { message: CapMessage; link: string }[];
}

const rfc3339 = (d: Date) => `${new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().slice(0, 19)}Z`;

export function renderAtom(feed: AtomFeed): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const root = doc.ele(ATOM_NS, 'feed');
  root.ele('id').txt(feed.self);
  root.ele('title').txt(feed.title);
  root.ele('updated').txt(rfc3339(feed.updated));
  root.ele('author').ele('name').txt(feed.authorName);
  root.ele('link').att('rel', 'self').att('type', ATOM_MEDIA_TYPE).att('href', feed.self);
  for (const { message, link } of feed.entries) {
    const { plan } = message;
    const entry = root.ele('entry');
    entry.ele('id').txt(`urn:gbt35965:${message.issuer.code}:${message.identifier}`);
    entry
      .ele('title')
      .txt(`${plan.warning.exercise ? '[演练 Exercise] ' : ''}${plan.msgType}: ${plan.warning.title.zh}`);
    entry.ele('updated').txt(rfc3339(plan.sent));
    entry.ele('category').att('term', plan.warning.exercise ? 'Exercise' : 'Actual');
    entry.ele('category').att('term', plan.msgType);
    entry.ele('link').att('rel', 'alternate').att('type', CAP_MEDIA_TYPE).att('href', link);
    entry.ele('summary').txt(plan.warning.summary.zh);
    appendAlert(entry.ele('content').att('type', CAP_MEDIA_TYPE), message);
  }
  return doc.end({ prettyPrint: true }) + '\n';
}
