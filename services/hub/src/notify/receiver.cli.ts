/**
 * pnpm notify:receiver — local receivers for the demo: a webhook receiver that checks the
 * Standard Webhooks signature and prints each message, and an SMTP server that prints each
 * e-mail. Point `pnpm start` at them with NOTIFY_WEBHOOK_URL / NOTIFY_WEBHOOK_SECRET and
 * NOTIFY_SMTP_URL / NOTIFY_EMAIL_TO (README, "Notifications").
 *
 * Environment: NOTIFY_WEBHOOK_SECRET (required to check signatures), RECEIVER_PORT (9300),
 * SMTP_PORT (2525).
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { NotificationMessage } from '@liandong/contracts';
import { startReceiver } from './notification.receiver.ts';

const secret = process.env['NOTIFY_WEBHOOK_SECRET'];
const port = Number(process.env['RECEIVER_PORT'] ?? 9300);
const smtpPort = Number(process.env['SMTP_PORT'] ?? 2525);
const receiver = await startReceiver({
  port,
  ...(secret ? { secret } : {}),
  onReceive: (r) => {
    const m = r.json as Partial<NotificationMessage> | undefined;
    const check = r.verdict
      ? r.verdict.ok
        ? 'signature ok'
        : `SIGNATURE BAD: ${r.verdict.reason}`
      : 'unsigned';
    console.log(
      `\n[webhook ${new Date(r.at).toISOString()}] ${r.path} (${check}) id=${String(r.headers['webhook-id'])}`,
    );
    console.log(m?.text ? `${m.text.title}\n${m.text.body}` : r.body.slice(0, 2000));
  },
});
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    simpleParser(stream)
      .then((mail) => {
        const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
        console.log(
          `\n[e-mail ${new Date().toISOString()}] to ${to}\n${mail.subject ?? ''}\n${mail.text ?? ''}`,
        );
        callback();
      })
      .catch((error: unknown) => callback(error as Error));
  },
});
smtp.listen(smtpPort, '127.0.0.1');
console.log(
  `webhook receiver on ${receiver.url}/hook${secret ? ' (checking signatures)' : ' (NOTIFY_WEBHOOK_SECRET not set: signatures not checked)'}; SMTP on 127.0.0.1:${smtpPort}`,
);
const stop = () => {
  void receiver.close().then(() => smtp.close(() => process.exit(0)));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
