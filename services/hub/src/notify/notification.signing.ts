/**
 * Signatures: Standard Webhooks for the generic webhook and the SMS gateway (HMAC-SHA256 over
 * "<webhook-id>.<webhook-timestamp>.<body>", header `webhook-signature: v1,<base64>`), and
 * DingTalk's signed robot (HMAC-SHA256 over "<timestamp ms>\n<secret>", as `timestamp` and
 * `sign` query parameters). `verifyWebhook` is what a receiver runs; the tests use it too.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_HEADERS } from '@liandong/contracts';

/** A new signing secret, Standard Webhooks style: `whsec_` and 32 random bytes in base64. */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** The three headers of a signed POST. */
export function webhookHeaders(secret: string, id: string, now: Date, body: string): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    [WEBHOOK_HEADERS.id]: id,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.signature]: signWebhook(secret, id, timestamp, body),
  };
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/**
 * A receiver's check: the signature matches one of the header's `v1,` entries and the timestamp
 * is within `toleranceSeconds` of now (a replayed old request is refused).
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  now: Date = new Date(),
  toleranceSeconds = 300,
): Verdict {
  const one = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = one(WEBHOOK_HEADERS.id);
  const timestamp = one(WEBHOOK_HEADERS.timestamp);
  const signature = one(WEBHOOK_HEADERS.signature);
  if (!id || !timestamp || !signature)
    return { ok: false, reason: 'missing webhook-id, -timestamp or -signature' };
  const ts = Number(timestamp);
  if (!Number.isInteger(ts)) return { ok: false, reason: 'webhook-timestamp is not Unix seconds' };
  if (Math.abs(now.getTime() / 1000 - ts) > toleranceSeconds)
    return { ok: false, reason: `webhook-timestamp more than ${toleranceSeconds} s away` };
  const expected = Buffer.from(signWebhook(secret, id, ts, body));
  const matches = signature
    .split(' ')
    .map((s) => Buffer.from(s))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
  return matches ? { ok: true } : { ok: false, reason: 'signature does not match' };
}

/** DingTalk's signed robot: the URL with `timestamp` (ms) and `sign` appended. */
export function dingtalkSignedUrl(url: string, secret: string, now: Date): string {
  const timestamp = now.getTime();
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  const u = new URL(url);
  u.searchParams.set('timestamp', String(timestamp));
  u.searchParams.set('sign', sign);
  return u.toString();
}
