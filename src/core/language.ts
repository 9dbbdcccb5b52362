/**
 * The language of a message, for the Nemo session (the skill: "language … taken from the first
 * message") and for the bot's own words (en or zh).
 *
 * A small detector on purpose: the writing system decides for most languages (Han → zh, kana → ja,
 * Hangul → ko, Cyrillic → ru/uk, Arabic → ar/fa, Hebrew, Thai, Devanagari, Greek); Latin-script text
 * is scored against short lists of very common words and letters (en, es, fr, de, pt, it, nl) and
 * only trusted with a clear winner. Anything unclear falls back to the platform locale, then to
 * NEMO_LANGUAGE. Any language is passed on, not only en and zh.
 */

const SCRIPTS: Array<[RegExp, string]> = [
  [/[\uac00-\ud7af\u1100-\u11ff]/g, 'ko'],
  [/[\u3400-\u9fff]/g, 'zh'],
  [/[\u0400-\u04ff]/g, 'ru'],
  [/[\u0600-\u06ff]/g, 'ar'],
  [/[\u0590-\u05ff]/g, 'he'],
  [/[\u0e00-\u0e7f]/g, 'th'],
  [/[\u0900-\u097f]/g, 'hi'],
  [/[\u0370-\u03ff]/g, 'el'],
];

const LATIN_WORDS: Record<string, string[]> = {
  en: ['the', 'a', 'an', 'and', 'of', 'to', 'in', 'is', 'it', 'this', 'with', 'my', 'make', 'please', 'video', 'into', 'for', 'on', 'me', 'i', 'you', 'can', 'what', 'how'],
  es: ['el', 'la', 'los', 'las', 'un', 'una', 'de', 'del', 'y', 'en', 'con', 'por', 'para', 'que', 'mi', 'haz', 'hacer', 'esta', 'este', 'es', 'gato', 'playa', 'vídeo'],
  fr: ['le', 'la', 'les', 'un', 'une', 'des', 'du', 'de', 'et', 'en', 'avec', 'pour', 'que', 'mon', 'ma', 'fais', 'faire', 'cette', 'ce', 'est', 'sur', 'dans', 'vidéo'],
  de: ['der', 'die', 'das', 'ein', 'eine', 'einen', 'und', 'mit', 'für', 'von', 'zu', 'ist', 'mein', 'meine', 'mach', 'mache', 'dieses', 'diese', 'bitte', 'auf', 'im'],
  pt: ['o', 'os', 'as', 'um', 'uma', 'de', 'do', 'da', 'e', 'em', 'com', 'para', 'que', 'meu', 'minha', 'faça', 'fazer', 'este', 'esta', 'é', 'no', 'na'],
  it: ['il', 'lo', 'la', 'gli', 'le', 'un', 'una', 'di', 'del', 'della', 'e', 'con', 'per', 'che', 'mio', 'mia', 'fai', 'fare', 'questo', 'questa', 'è', 'nel'],
  nl: ['de', 'het', 'een', 'en', 'van', 'met', 'voor', 'dat', 'is', 'mijn', 'maak', 'deze', 'dit', 'op', 'naar', 'alsjeblieft'],
};
const LATIN_LETTERS: Array<[RegExp, string]> = [
  [/ñ|¿|¡/, 'es'],
  [/ã|õ|ç(?=[aou])/, 'pt'],
  [/ß|ä|ö|ü/, 'de'],
  [/œ|ê|è|à(?= )|ç(?=[ei])/, 'fr'],
];

/** Strip what says nothing about the language: links, commands, mentions, digits, emoji. */
function clean(text: string): string {
  return text
    .replace(/https?:\/\/\S+/gi, ' ')
    .replace(/^\/\w+(@\w+)?/, ' ')
    .replace(/<@!?\d+>|@\w+/g, ' ')
    .replace(/[\d\p{Extended_Pictographic}]/gu, ' ');
}

/** The language of `text` as a BCP-47 primary subtag, or undefined when the text does not say. */
export function detectLanguage(text: string): string | undefined {
  const s = clean(text);
  if (/[\u3040-\u30ff]/.test(s)) return 'ja'; // Japanese mixes kana with Han
  let best: [string, number] | undefined;
  for (const [re, lang] of SCRIPTS) {
    const n = s.match(re)?.length ?? 0;
    if (n > 0 && (!best || n > best[1])) best = [lang, n];
  }
  const latinWords = s.toLowerCase().match(/[a-zà-ÿœß]{2,}/g)?.length ?? 0;
  if (best && best[1] === 1 && latinWords >= 3) best = undefined; // one stray character in a Latin sentence
  if (best) {
    if (best[0] === 'ru' && /[іїєґ]/i.test(s)) return 'uk';
    if (best[0] === 'ar' && /[پچژگ]/.test(s)) return 'fa';
    return best[0];
  }
  const words = s.toLowerCase().match(/[a-zà-ÿœß]+/g) ?? [];
  if (words.length < 2) return undefined;
  const score: Record<string, number> = {};
  for (const [lang, list] of Object.entries(LATIN_WORDS)) score[lang] = words.filter((w) => list.includes(w)).length;
  for (const [re, lang] of LATIN_LETTERS) if (re.test(s.toLowerCase())) score[lang] = (score[lang] ?? 0) + 2;
  const ranked = Object.entries(score).sort((a, b) => b[1] - a[1]);
  const [first, second] = ranked;
  if (!first || first[1] < 2 || (second && first[1] - second[1] < 2 && first[1] < 2 * second[1])) return undefined;
  return first[0];
}

/** `zh-CN` → `zh`, `pt_BR` → `pt`; undefined for nothing usable. */
export function localeLanguage(locale: string | undefined): string | undefined {
  const m = /^([A-Za-z]{2,3})(?:[-_]|$)/.exec(locale ?? '');
  return m ? m[1]!.toLowerCase() : undefined;
}

/** The language a new Nemo session should be created in for a conversation whose first message is `text`. */
export function sessionLanguage(text: string, locale: string | undefined, fallback: string): string {
  return detectLanguage(text) ?? localeLanguage(locale) ?? fallback;
}

/** The bot's own words: Chinese for Chinese text or a Chinese locale, else English. */
export function uiLanguage(text: string, locale: string | undefined): 'en' | 'zh' {
  if (detectLanguage(text) === 'zh') return 'zh';
  return localeLanguage(locale) === 'zh' ? 'zh' : 'en';
}
