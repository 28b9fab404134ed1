/**
 * Messages in zh-CN (or English where the channel chose it) and each channel's documented format:
 * the generic webhook body (contracts' NotificationMessage v1), the WeCom and DingTalk group
 * robots' markdown messages, e-mail (subject, plain text, HTML) and the SMS gateway body. Pure:
 * the clock comes in, so "time left to acknowledge" is the time left when it is sent.
 */
import {
  departmentEntry,
  NANHAI_TOWNS,
  NOTIFICATION_SCHEMA,
  SMS_SCHEMA,
  type Disposition,
  type Level,
  type LocalizedText,
  type NotificationLanguage,
  type NotificationMessage,
  type SmsGatewayRequest,
  type UnitCode,
} from '@liandong/contracts';
import type { MessageFacts } from './notification.plan.ts';

const LEVEL_NAME: Record<Level, LocalizedText> = {
  red: { zh: '红色（Ⅰ级）', en: 'Red (I)' },
  orange: { zh: '橙色（Ⅱ级）', en: 'Orange (II)' },
  yellow: { zh: '黄色（Ⅲ级）', en: 'Yellow (III)' },
  blue: { zh: '蓝色（Ⅳ级）', en: 'Blue (IV)' },
};
const LEVEL_COLOR: Record<Level, string> = {
  red: '#d4380d',
  orange: '#fa8c16',
  yellow: '#d4b106',
  blue: '#1677ff',
};
const DISPOSITION_NAME: Record<Disposition, LocalizedText> = {
  confirmed: { zh: '属实', en: 'confirmed' },
  no_impact: { zh: '无影响', en: 'no impact' },
  duplicate: { zh: '重复', en: 'duplicate' },
  false_alarm: { zh: '误报', en: 'false alarm' },
};
const RECIPIENT_NAME: Record<string, LocalizedText> = {
  operators: { zh: '值班员', en: 'duty operators' },
  'duty-leader': { zh: '带班领导', en: 'duty leader' },
};

const unitName = (unit: string, lang: NotificationLanguage) => departmentEntry(unit as UnitCode).name[lang];

function recipientName(recipient: string, lang: NotificationLanguage): string {
  const fixed = RECIPIENT_NAME[recipient];
  if (fixed) return fixed[lang];
  const [kind, unit = ''] = recipient.split(':');
  if (kind === 'supervisor')
    return lang === 'zh' ? `${unitName(unit, lang)}主管` : `${unitName(unit, lang)} supervisor`;
  return lang === 'zh' ? `${unitName(unit, lang)}联络员` : `${unitName(unit, lang)} liaison`;
}

/** The Nanhai town nearest the centroid, when it lies within twice the town's radius. */
export function placeOf([lon, lat]: [number, number]): LocalizedText {
  let best: { name: LocalizedText; d: number; r: number } | undefined;
  for (const town of NANHAI_TOWNS) {
    const dx = (lon - town.center.lon) * 111_320 * Math.cos((lat * Math.PI) / 180);
    const dy = (lat - town.center.lat) * 110_540;
    const d = Math.hypot(dx, dy);
    if (!best || d < best.d) best = { name: town.name, d, r: town.radiusM };
  }
  const at = `${lat.toFixed(4)}°N, ${lon.toFixed(4)}°E`;
  if (best && best.d <= best.r * 2)
    return { zh: `南海区${best.name.zh}附近（${at}）`, en: `near ${best.name.en}, Nanhai (${at})` };
  return { zh: `南海区（${at}）`, en: `Nanhai (${at})` };
}

const clockFormat = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const shanghai = (iso: string) => clockFormat.format(new Date(iso)).replace(/\//g, '-');

export function duration(seconds: number, lang: NotificationLanguage): string {
  const s = Math.abs(Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (lang === 'zh') return h > 0 ? `${h}小时${m}分` : m > 0 ? `${m}分${r}秒` : `${r}秒`;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${r} s` : `${r} s`;
}

export interface RenderContext {
  id: string;
  messageKey: string;
  recipient: string;
  language: NotificationLanguage;
  createdAt: string;
  attempt: number;
  now: Date;
  consoleUrl: string;
}

function texts(facts: MessageFacts, ctx: RenderContext, secondsLeft: number | null) {
  const lang = ctx.language;
  const zh = lang === 'zh';
  const w = facts.warning;
  const level = LEVEL_NAME[w.level][lang];
  const title = w.title[lang];
  const prefix = w.exercise ? (zh ? '【演练】' : 'EXERCISE — ') : '';
  let head: string;
  switch (facts.type) {
    case 'warning.raised':
      head = zh ? `${level}预警：${title}` : `${level} warning: ${title}`;
      break;
    case 'warning.level_raised':
      head = zh ? `预警升级为${level}：${title}` : `Warning raised to ${level}: ${title}`;
      break;
    case 'warning.overdue': {
      const unit = unitName(facts.escalation?.unit ?? '', lang);
      head = zh
        ? `超时未确认：${unit}未确认${level}预警：${title}`
        : `Not acknowledged: ${unit}, ${level} warning: ${title}`;
      break;
    }
    case 'warning.resolved': {
      const d = facts.resolution ? DISPOSITION_NAME[facts.resolution.disposition][lang] : '';
      head = zh ? `预警已处置（${d}）：${title}` : `Warning resolved (${d}): ${title}`;
      break;
    }
    case 'warning.cancelled':
      head = zh ? `预警已撤销：${title}` : `Warning cancelled: ${title}`;
      break;
  }
  const place = placeOf(w.centroid)[lang];
  const units = w.departments.map((u) => unitName(u, lang)).join(zh ? '、' : ', ');
  const lines: string[] = [];
  if (w.exercise)
    lines.push(
      zh ? '【演练】本消息为演练，非真实险情。' : 'EXERCISE — this is a drill, not a real incident.',
    );
  lines.push(zh ? `级别：${level}` : `Level: ${level}`);
  if (w.previousLevel)
    lines.push(zh ? `原级别：${LEVEL_NAME[w.previousLevel].zh}` : `Was: ${LEVEL_NAME[w.previousLevel].en}`);
  lines.push(zh ? `地点：${place}` : `Place: ${place}`);
  lines.push(zh ? `推送单位：${units}` : `Routed to: ${units}`);
  if (facts.acknowledge && secondsLeft !== null) {
    const by = shanghai(facts.acknowledge.deadline);
    lines.push(
      secondsLeft >= 0
        ? zh
          ? `确认时限：剩余${duration(secondsLeft, lang)}（${by} 前，北京时间），请${unitName(facts.acknowledge.unit, lang)}联络员在控制台确认`
          : `Acknowledge within ${duration(secondsLeft, lang)} (by ${by} Beijing time), ${unitName(facts.acknowledge.unit, lang)} liaison`
        : zh
          ? `确认时限：已超时${duration(secondsLeft, lang)}（截止 ${by}，北京时间）`
          : `Acknowledgement overdue by ${duration(secondsLeft, lang)} (deadline ${by} Beijing time)`,
    );
  }
  if (facts.escalation) {
    const e = facts.escalation;
    const notified = e.notified.map((r) => recipientName(r, lang)).join(zh ? '、' : ', ');
    const overdue = duration((ctx.now.getTime() - new Date(e.deadline).getTime()) / 1000, lang);
    lines.push(
      zh
        ? `超时：${unitName(e.unit, lang)}未在时限内确认（截止 ${shanghai(e.deadline)}，已超时${overdue}），第${e.step}次升级，通知：${notified}`
        : `Overdue: ${unitName(e.unit, lang)} missed its deadline (${shanghai(e.deadline)}, ${overdue} ago), escalation step ${e.step}, told: ${notified}`,
    );
  }
  if (facts.resolution) {
    const r = facts.resolution;
    lines.push(
      zh
        ? `处置结论：${DISPOSITION_NAME[r.disposition].zh}（${r.by}，${shanghai(r.at)}）`
        : `Disposition: ${DISPOSITION_NAME[r.disposition].en} (${r.by}, ${shanghai(r.at)})`,
    );
  }
  lines.push(zh ? `摘要：${w.summary.zh}` : `Summary: ${w.summary.en}`);
  lines.push(
    zh ? `发布时间：${shanghai(w.raisedAt)}（北京时间）` : `Raised: ${shanghai(w.raisedAt)} Beijing time`,
  );
  return { title: `${prefix}${head}`, lines };
}

export function linkOf(consoleUrl: string, warningId: string): string {
  return `${consoleUrl.replace(/\/+$/, '')}/warnings/${encodeURIComponent(warningId)}`;
}

/** The generic webhook body (NotificationMessage v1), its texts in the channel's language. */
export function renderMessage(facts: MessageFacts, ctx: RenderContext): NotificationMessage {
  const secondsLeft = facts.acknowledge
    ? Math.round((new Date(facts.acknowledge.deadline).getTime() - ctx.now.getTime()) / 1000)
    : null;
  const { title, lines } = texts(facts, ctx, secondsLeft);
  const link = linkOf(ctx.consoleUrl, facts.warning.id);
  const { exercise, centroid, ...warning } = facts.warning;
  return {
    schema: NOTIFICATION_SCHEMA,
    id: ctx.id,
    messageKey: ctx.messageKey,
    type: facts.type,
    recipient: ctx.recipient,
    language: ctx.language,
    exercise,
    createdAt: ctx.createdAt,
    sentAt: ctx.now.toISOString(),
    attempt: ctx.attempt,
    warning: { ...warning, centroid, place: placeOf(centroid) },
    acknowledge: facts.acknowledge && secondsLeft !== null ? { ...facts.acknowledge, secondsLeft } : null,
    escalation: facts.escalation,
    resolution: facts.resolution,
    link,
    text: { title, body: [...lines, `${ctx.language === 'zh' ? '查看' : 'Open'}：${link}`].join('\n') },
  };
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** WeCom group robot, msgtype markdown (content ≤ 4096 bytes; <font color="warning"> for colour). */
export function wecomBody(m: NotificationMessage, mentionedMobiles: readonly string[] = []) {
  const color = m.warning.level === 'red' || m.warning.level === 'orange' ? 'warning' : 'comment';
  const lines = m.text.body.split('\n').map((l) => `> ${l}`);
  const mentions = mentionedMobiles.length ? `\n${mentionedMobiles.map((p) => `<@${p}>`).join(' ')}` : '';
  const content = `### <font color="${color}">${m.text.title}</font>\n${lines.join('\n')}\n[${m.language === 'zh' ? '打开控制台' : 'Open the console'}](${m.link})${mentions}`;
  return { msgtype: 'markdown', markdown: { content: truncateBytes(content, 4096) } };
}

/** DingTalk group robot, msgtype markdown with @ mentions (the numbers must appear in the text). */
export function dingtalkBody(m: NotificationMessage, atMobiles: readonly string[] = []) {
  const mentions = atMobiles.length ? `\n\n${atMobiles.map((p) => `@${p}`).join(' ')}` : '';
  const text = `#### ${m.text.title}\n\n${m.text.body
    .split('\n')
    .map((l) => `- ${l}`)
    .join('\n')}${mentions}`;
  return {
    msgtype: 'markdown',
    markdown: { title: m.text.title.slice(0, 64), text: truncateBytes(text, 5000) },
    at: { atMobiles: [...atMobiles], isAtAll: false },
  };
}

export function emailContent(m: NotificationMessage) {
  const color = LEVEL_COLOR[m.warning.level];
  const rows = m.text.body.split('\n').map((l) => `<li>${escapeHtml(l)}</li>`);
  const html = `<!doctype html><html lang="${m.language === 'zh' ? 'zh-CN' : 'en'}"><meta charset="utf-8"><body style="font-family:sans-serif">
<h2 style="color:${color}">${escapeHtml(m.text.title)}</h2>
<ul>${rows.join('')}</ul>
<p><a href="${escapeHtml(m.link)}">${m.language === 'zh' ? '在控制台查看并确认' : 'Open and acknowledge in the console'}</a></p>
<p style="color:#888;font-size:12px">联动 Liandong · ${escapeHtml(m.id)}</p></body></html>`;
  return { subject: m.text.title, text: `${m.text.title}\n\n${m.text.body}\n`, html };
}

/** The SMS gateway body: one short text (【联动】 signature first), template parameters beside it. */
export function smsBody(m: NotificationMessage, phoneNumbers: readonly string[]): SmsGatewayRequest {
  const zh = m.language === 'zh';
  const left = m.acknowledge
    ? m.acknowledge.secondsLeft >= 0
      ? zh
        ? `，请于${duration(m.acknowledge.secondsLeft, 'zh')}内确认`
        : `, acknowledge within ${duration(m.acknowledge.secondsLeft, 'en')}`
      : ''
    : '';
  const place = m.warning.place[m.language];
  const text = `${zh ? '【联动】' : '[Liandong] '}${m.text.title}${zh ? '，地点：' : ', at '}${place}${left} ${m.link}`;
  return {
    schema: SMS_SCHEMA,
    id: m.id,
    phoneNumbers: [...phoneNumbers],
    text: text.length > 300 ? `${text.slice(0, 297)}…` : text,
    templateParams: {
      exercise: m.exercise ? '演练' : '',
      level: LEVEL_NAME[m.warning.level][m.language],
      title: m.warning.title[m.language],
      place,
      deadline: m.acknowledge ? shanghai(m.acknowledge.deadline) : '',
      link: m.link,
    },
  };
}

function truncateBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = s;
  while (Buffer.byteLength(out) > max - 3) out = out.slice(0, -1);
  return `${out}…`;
}
