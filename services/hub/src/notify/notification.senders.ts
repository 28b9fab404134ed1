/**
 * Sends one rendered message through one channel: HTTP POSTs (generic webhook and SMS gateway,
 * signed; WeCom and DingTalk robots, which answer 200 with an `errcode`) and e-mail over SMTP
 * (nodemailer). The outcome says whether trying again can help: a 4xx other than 408/425/429, an
 * SMTP 5xx or a channel without its settings is permanent; timeouts, refused connections, 5xx,
 * a robot's non-zero errcode and SMTP 4xx are retried.
 */
import nodemailer from 'nodemailer';
import type { NotificationMessage } from '@liandong/contracts';
import { dingtalkBody, emailContent, smsBody, wecomBody } from './notification.render.ts';
import { dingtalkSignedUrl, webhookHeaders } from './notification.signing.ts';

export interface ChannelRow {
  id: string;
  kind: 'webhook' | 'wecom' | 'dingtalk' | 'email' | 'sms';
  target: Record<string, unknown>;
  secret: string | null;
}

export type SendResult = { ok: true; detail: string } | { ok: false; retriable: boolean; detail: string };

export interface SenderSettings {
  timeoutMs: number;
  smtpUrl?: string;
  mailFrom: string;
}

const RETRIABLE_STATUS = new Set([408, 425, 429]);
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  robot: boolean,
): Promise<SendResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Liandong-Notify/1',
        ...headers,
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    return {
      ok: false,
      retriable: true,
      detail: `${e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.message)}`,
    };
  }
  const text = (await response.text().catch(() => '')).slice(0, 300);
  if (!response.ok) {
    const retriable = response.status >= 500 || RETRIABLE_STATUS.has(response.status);
    return { ok: false, retriable, detail: `HTTP ${response.status} ${text}`.trim() };
  }
  if (robot) {
    // WeCom and DingTalk answer 200 with {"errcode":0,"errmsg":"ok"}; anything else is a refusal.
    let errcode: unknown;
    try {
      errcode = (JSON.parse(text) as { errcode?: unknown }).errcode;
    } catch {
      errcode = undefined;
    }
    if (errcode !== 0)
      return {
        ok: false,
        retriable: true,
        detail: `HTTP ${response.status} errcode ${String(errcode)} ${text}`,
      };
    return { ok: true, detail: `HTTP ${response.status} errcode 0` };
  }
  return { ok: true, detail: `HTTP ${response.status}` };
}

export function createSenders(settings: SenderSettings) {
  const mailer = settings.smtpUrl ? nodemailer.createTransport(settings.smtpUrl) : undefined;

  async function email(channel: ChannelRow, m: NotificationMessage): Promise<SendResult> {
    if (!mailer) return { ok: false, retriable: false, detail: 'no SMTP server: set NOTIFY_SMTP_URL' };
    const content = emailContent(m);
    try {
      const info = await mailer.sendMail({
        from: settings.mailFrom,
        to: strings(channel.target['to']),
        subject: content.subject,
        text: content.text,
        html: content.html,
        headers: { 'X-Liandong-Delivery': m.id, 'X-Liandong-Warning': m.warning.id },
      });
      return { ok: true, detail: `SMTP ${String(info.response).slice(0, 200)}` };
    } catch (error) {
      const e = error as Error & { responseCode?: number; code?: string };
      const permanent = e.responseCode !== undefined && e.responseCode >= 500;
      return {
        ok: false,
        retriable: !permanent,
        detail: `SMTP ${e.responseCode ?? e.code ?? ''} ${e.message}`.slice(0, 300),
      };
    }
  }

  return {
    async send(channel: ChannelRow, m: NotificationMessage, now: Date): Promise<SendResult> {
      const url = typeof channel.target['url'] === 'string' ? channel.target['url'] : '';
      switch (channel.kind) {
        case 'webhook':
        case 'sms': {
          // Both signed the Standard Webhooks way; the SMS gateway gets its own short body.
          const body = JSON.stringify(
            channel.kind === 'sms' ? smsBody(m, strings(channel.target['phoneNumbers'])) : m,
          );
          const headers = channel.secret ? webhookHeaders(channel.secret, m.id, now, body) : {};
          return post(url, body, headers, settings.timeoutMs, false);
        }
        case 'wecom':
          return post(
            url,
            JSON.stringify(wecomBody(m, strings(channel.target['mentionedMobiles']))),
            {},
            settings.timeoutMs,
            true,
          );
        case 'dingtalk': {
          const signed = channel.secret ? dingtalkSignedUrl(url, channel.secret, now) : url;
          return post(
            signed,
            JSON.stringify(dingtalkBody(m, strings(channel.target['atMobiles']))),
            {},
            settings.timeoutMs,
            true,
          );
        }
        case 'email':
          return email(channel, m);
      }
    },
    smtpConfigured: mailer !== undefined,
    close(): void {
      mailer?.close();
    },
  };
}

export type Senders = ReturnType<typeof createSenders>;
