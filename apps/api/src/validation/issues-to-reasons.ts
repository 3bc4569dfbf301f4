import { ErrorKey, type Reason } from '@wagate/errors';
import type { z } from 'zod';

type IssueKind = 'missing' | 'tooLong' | 'tooShort';

/**
 * The contract's key for a field's failure, where it has a row more precise than `invalid`
 * (`shared/reference/devino-whatsapp-api.md`, "Request-time error keys"). Checks that carry
 * their key in `params.key` (see devino-message.ts) need no entry here.
 */
const rowsByField: Record<string, Partial<Record<IssueKind, ErrorKey>>> = {
  '': { missing: ErrorKey.MustBeNotNull },
  from: { missing: ErrorKey.MustBeNotNull },
  to: { missing: ErrorKey.MustBeNotNull, tooLong: ErrorKey.LengthTooLong },
  text: { tooLong: ErrorKey.LengthTooLong },
  languageCode: { tooLong: ErrorKey.LengthTooLong, tooShort: ErrorKey.LengthTooShort },
  contentName: { tooLong: ErrorKey.LengthTooLong, tooShort: ErrorKey.LengthTooShort },
};

export interface Rejected {
  reasons: Reason[];
  description: string;
}

/**
 * Turns zod's issues for `messages[index]` into the contract's rows: `ref` is
 * `messages[i].<field>` (the top-level field; a nested path such as a template parameter is
 * named in the description), each (key, ref) once, in field order; the description joins
 * the issues' human messages.
 */
export function issuesToReasons(issues: readonly z.core.$ZodIssue[], index: number): Rejected {
  const reasons = new Map<string, Reason>();
  const descriptions: string[] = [];
  for (const issue of issues) {
    const field = typeof issue.path[0] === 'string' ? issue.path[0] : '';
    const ref = field === '' ? `messages[${index}]` : `messages[${index}].${field}`;
    const key = keyOf(issue, field);
    reasons.set(`${key} ${ref}`, { key, ref });
    const nested = issue.path.length > 1 ? ` (at ${issue.path.map(String).join('.')})` : '';
    const description = `${issue.message}${nested}`;
    if (!descriptions.includes(description)) descriptions.push(description);
  }
  return { reasons: [...reasons.values()], description: descriptions.join('; ') };
}

function keyOf(issue: z.core.$ZodIssue, field: string): ErrorKey {
  if (issue.code === 'custom' && typeof issue.params?.key === 'string') return issue.params.key as ErrorKey;
  const rows = rowsByField[field] ?? {};
  const kind = kindOf(issue, field);
  return (kind && rows[kind]) || ErrorKey.Invalid;
}

function kindOf(issue: z.core.$ZodIssue, field: string): IssueKind | undefined {
  // Only a failure of the field itself (not of something nested in it) can mean "missing".
  if (issue.code === 'invalid_type' && issue.path.length <= (field === '' ? 0 : 1)) {
    const input = (issue as { input?: unknown }).input;
    if (input === undefined || input === null) return 'missing';
  }
  if (issue.code === 'too_big') return 'tooLong';
  if (issue.code === 'too_small') return 'tooShort';
  return undefined;
}
