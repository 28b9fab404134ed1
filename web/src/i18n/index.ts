import i18next from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import type { LocalizedText } from '@liandong/contracts';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

const STORAGE = 'liandong.lang';
export type Lang = 'zh-CN' | 'en';

function initialLang(): Lang {
  const stored = localStorage.getItem(STORAGE);
  return stored === 'en' ? 'en' : 'zh-CN';
}

void i18next.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: initialLang(),
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
  returnNull: false,
});
document.documentElement.lang = initialLang();

export function setLang(lang: Lang) {
  localStorage.setItem(STORAGE, lang);
  document.documentElement.lang = lang;
  void i18next.changeLanguage(lang);
}

/** The language-aware helpers every component uses: t, the data's own bilingual text, the lang. */
export function useI18n() {
  const { t, i18n } = useTranslation();
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN';
  const text = (value: LocalizedText | undefined) => (value ? (lang === 'en' ? value.en : value.zh) : '');
  return { t, lang, text };
}

export { i18next };
