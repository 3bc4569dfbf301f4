import { StatusErrorCode } from '@wagate/errors';

/**
 * Language codes as templates store them: `pt_BR`, `en`, `zh_Hant` — language in lower case,
 * region in upper case, script in title case, `-` read as `_` — so `PT-br` and `pt_BR` name the
 * same version.
 */
export function normalizeLanguage(code: string): string {
  const [language = '', ...rest] = code.trim().split(/[-_]/);
  const parts = rest.map((part) =>
    part.length === 4 ? part[0]!.toUpperCase() + part.slice(1).toLowerCase() : part.toUpperCase(),
  );
  return [language.toLowerCase(), ...parts].join('_');
}

export function baseLanguage(code: string): string {
  return code.split('_')[0]!;
}

export type LanguageChoice =
  | { found: true; languageCode: string }
  /** 2309: no version of the language at all; 2310: the language exists, but not for this locale. */
  | { found: false; errorCode: number; description: string };

/**
 * Which approved version a send in `requested` gets: the exact locale, else its base language
 * (`pt_BR` → `pt`). Never another language, not even the template's default: a customer who
 * asked in Portuguese should not get English, and the sender learns of it (2309/2310) instead.
 * An empty request means the template's default language.
 */
export function chooseLanguage(
  requested: string,
  defaultLanguage: string,
  available: ReadonlySet<string>,
): LanguageChoice {
  const wanted = normalizeLanguage(requested || defaultLanguage);
  for (const candidate of [wanted, baseLanguage(wanted)]) {
    if (available.has(candidate)) return { found: true, languageCode: candidate };
  }
  const sameLanguage = [...available].filter((code) => baseLanguage(code) === baseLanguage(wanted));
  if (sameLanguage.length > 0) {
    return {
      found: false,
      errorCode: StatusErrorCode.TemplateLocaleMissing,
      description: `no approved version for locale ${wanted}; the template has ${sameLanguage.join(', ')}`,
    };
  }
  return {
    found: false,
    errorCode: StatusErrorCode.TemplateLanguageMissing,
    description:
      available.size === 0
        ? 'the template has no approved language version'
        : `no approved version in ${wanted}; the template has ${[...available].join(', ')}`,
  };
}
