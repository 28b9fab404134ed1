/**
 * What a department's CAP message is worth to the rules: its `eventCode` (a code list the message
 * names and the engine knows) or its `event` text, then its headline (the term table in
 * contracts), give the department's vocabulary type. Categories alone are not enough: three
 * departments write about one flooded crossing as Met, Transport and Rescue. Unmapped, it stays
 * `<department>.cap_alert`.
 */
import {
  CAP_EVENT_CODE_LISTS,
  CAP_TERMS,
  VOCABULARIES,
  type CapEventCodeLists,
  type NormalizedEvent,
} from '@liandong/contracts';

const EVENT_CODE = /<(?:[\w-]+:)?eventCode\b[^>]*>([\s\S]*?)<\/(?:[\w-]+:)?eventCode>/g;
const FIELD = (name: string) => new RegExp(`<(?:[\\w-]+:)?${name}\\b[^>]*>([^<]*)</(?:[\\w-]+:)?${name}>`);
const VALUE_NAME = FIELD('valueName');
const VALUE = FIELD('value');

/** The eventCode pairs of a CAP document (valueName, value), read from its text. */
export function capEventCodes(xml: string): { valueName: string; value: string }[] {
  const out: { valueName: string; value: string }[] = [];
  for (const match of xml.matchAll(EVENT_CODE)) {
    const body = match[1] ?? '';
    const valueName = VALUE_NAME.exec(body)?.[1]?.trim();
    const value = VALUE.exec(body)?.[1]?.trim();
    if (valueName && value) out.push({ valueName, value });
  }
  return out;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const EN_TERMS = CAP_TERMS.map(
  (entry) => new RegExp(`(?:^|[^a-z])(?:${entry.en.map(escape).join('|')})(?:$|[^a-z])`, 'i'),
);

/** The vocabulary type the term table gives a text for a department, or undefined. */
export function typeFromText(department: NormalizedEvent['department'], text: string): string | undefined {
  for (let i = 0; i < CAP_TERMS.length; i++) {
    const entry = CAP_TERMS[i]!;
    const key = entry.types[department];
    if (key === undefined) continue;
    if (entry.zh.some((term) => text.includes(term)) || EN_TERMS[i]!.test(text))
      return `${department}.${key}`;
  }
  return undefined;
}

function known(department: NormalizedEvent['department'], type: string | undefined): string | undefined {
  if (!type) return undefined;
  const [dept, key] = type.split('.');
  return dept === department && key !== undefined && Object.hasOwn(VOCABULARIES[department], key)
    ? type
    : undefined;
}

/** The type a CAP event of `<department>.cap_alert` stands for; the event itself when none. */
export function capVocabularyType(
  event: NormalizedEvent,
  codeLists: CapEventCodeLists = CAP_EVENT_CODE_LISTS,
): string | undefined {
  const { department } = event;
  if (event.raw.body && Object.keys(codeLists).length > 0) {
    for (const code of capEventCodes(event.raw.body)) {
      const list = codeLists[code.valueName] ?? codeLists[code.valueName.toUpperCase()];
      const type = known(department, list?.[code.value]);
      if (type) return type;
    }
  }
  for (const text of event.texts) {
    const type = text.event ? typeFromText(department, text.event) : undefined;
    if (type) return type;
  }
  for (const text of event.texts) {
    const type = text.headline ? typeFromText(department, text.headline) : undefined;
    if (type) return type;
  }
  return undefined;
}

/** The event as the rules should see it: a CAP alert retyped when its code or text says what happened. */
export function withCapType(event: NormalizedEvent, codeLists?: CapEventCodeLists): NormalizedEvent {
  if (!event.type.endsWith('.cap_alert')) return event;
  const type = capVocabularyType(event, codeLists);
  return type ? { ...event, type } : event;
}
