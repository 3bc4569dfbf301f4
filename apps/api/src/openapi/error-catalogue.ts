import { type ErrorKey, errorCatalogue, errorKeys, type HttpErrorStatus } from '@wagate/errors';

/** The catalogue's rows (`@wagate/errors`) as a Markdown table, for the OpenAPI document. */
export function catalogueTable(): string {
  const rows = errorKeys.flatMap((key) =>
    errorCatalogue[key].rows.map((row) => {
      const refs = row.refs.map((ref) => (ref ? `\`${ref}\`` : '—')).join(', ') || '—';
      const where = row.where === 'message' ? 'per message (200)' : errorCatalogue[key].httpStatus;
      return `| \`${key}\` | ${refs} | ${where} | ${row.meaning} |`;
    }),
  );
  return ['| key | ref | where | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** The keys a whole request can fail with at `status`, with what each means there: a response's description. */
export function describeErrorStatus(status: HttpErrorStatus): string {
  const keys = errorKeys.filter(
    (key) =>
      errorCatalogue[key].httpStatus === status &&
      errorCatalogue[key].rows.some((row) => row.where === 'request'),
  );
  return keys.map((key) => `\`${key}\`: ${requestMeanings(key)}.`).join(' ');
}

function requestMeanings(key: ErrorKey): string {
  return errorCatalogue[key].rows
    .filter((row) => row.where === 'request')
    .map((row) => row.meaning.replace(/ \(wagate\)$/, ''))
    .join('; ');
}
