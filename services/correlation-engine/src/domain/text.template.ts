/**
 * Title and summary templates: ICU MessageFormat (plural forms for English), checked at load
 * for syntax and for placeholders the rule's family provides.
 */
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import type { LocalizedText, RuleFamily } from '@liandong/contracts';
import { IntlMessageFormat } from 'intl-messageformat';

const COMMON = ['place', 'events', 'departments', 'departmentNames', 'firstAt', 'lastAt', 'types'] as const;

/** Placeholders each family fills, besides the common ones and `sum_<attribute>` / `max_<attribute>`. */
export const TEMPLATE_VARIABLES: Record<RuleFamily, readonly string[]> = {
  threshold: [...COMMON, 'station', 'river', 'measurement', 'value', 'threshold', 'unit', 'venue', 'road'],
  cooccurrence: [...COMMON, 'radiusKm', 'windowMinutes', 'venue'],
  surge: [...COMMON, 'count', 'baseline', 'ratio', 'windowMinutes'],
  sequence: [...COMMON, 'first', 'then', 'minutes', 'distanceKm', 'river', 'downstreamKm'],
  silence: ['place', 'department', 'since', 'minutes', 'silentMinutes'],
};

export type TemplateVars = Record<string, string | number>;

/** Names a message uses; throws with the parser's message when the syntax is wrong. */
export function templateArguments(message: string): string[] {
  const names = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const el of elements) {
      switch (el.type) {
        case TYPE.argument:
        case TYPE.number:
        case TYPE.date:
        case TYPE.time:
          names.add(el.value);
          break;
        case TYPE.select:
        case TYPE.plural:
          names.add(el.value);
          for (const option of Object.values(el.options)) walk(option.value);
          break;
        case TYPE.tag:
          walk(el.children);
          break;
        case TYPE.literal:
        case TYPE.pound:
          break;
      }
    }
  };
  walk(parse(message));
  return [...names];
}

/** Placeholders a template uses that its family does not fill. */
export function unknownPlaceholders(family: RuleFamily, message: string): string[] {
  const allowed = TEMPLATE_VARIABLES[family];
  return templateArguments(message).filter(
    (name) => !allowed.includes(name) && !/^(sum|max)_[A-Za-z0-9]+$/.test(name),
  );
}

export interface CompiledTemplate {
  render(vars: { zh: TemplateVars; en: TemplateVars }): LocalizedText;
}

export function compileTemplate(template: LocalizedText): CompiledTemplate {
  const zh = new IntlMessageFormat(template.zh, 'zh-CN');
  const en = new IntlMessageFormat(template.en, 'en');
  return {
    render: (vars) => ({ zh: String(zh.format(vars.zh)), en: String(en.format(vars.en)) }),
  };
}
