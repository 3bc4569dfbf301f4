import { DomainError, ErrorKey } from '@wagate/errors';
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { hasJsonBody } from './read-json.js';

const NUL = '\u0000';

/**
 * Refuses a NUL character (U+0000) anywhere a request carries text — a path parameter, a query
 * parameter's name or value, a JSON string or key — with 400 `invalid` naming where it was.
 * PostgreSQL cannot store U+0000 in text, so without this one check every route that keeps or
 * looks up what it was given would answer 500. Runs before the routes, for all of them.
 */
export function rejectNulCharacters(): MiddlewareHandler {
  return async (c, next) => {
    const ref = nulInPath(c) ?? nulInQuery(c) ?? (await nulInJsonBody(c));
    if (ref !== undefined) {
      throw new DomainError(
        ErrorKey.Invalid,
        `${ref === '' ? 'the request' : `\`${ref}\``} contains a NUL character (U+0000), which no field may hold`,
        { ref: ref },
      );
    }
    await next();
  };
}

/** The name of the path parameter holding a NUL (hono has already decoded `%00`). */
function nulInPath(c: Context): string | undefined {
  if (!c.req.path.includes(NUL)) return undefined;
  const segments = c.req.path.split('/');
  // The last matched route is the handler; its pattern names the parameters (`:messageId`).
  const pattern = routePath(c, -1).split('/');
  const index = segments.findIndex((segment) => segment.includes(NUL));
  const name = pattern[index]?.match(/^:(\w+)/)?.[1];
  return name ?? '';
}

function nulInQuery(c: Context): string | undefined {
  for (const [name, value] of new URL(c.req.url).searchParams) {
    if (name.includes(NUL) || value.includes(NUL)) return visible(name);
  }
  return undefined;
}

/**
 * The JSON path (`messages[0].text`) of the first string or key holding a NUL. The body is read
 * through hono's cache, so the route reads it again as usual; a body that is not JSON is left
 * for the route to refuse in its own terms.
 */
async function nulInJsonBody(c: Context): Promise<string | undefined> {
  if (!hasJsonBody(c)) return undefined;
  const text = await c.req.text();
  // A NUL can only reach a parsed string through the escape `\u0000` (JSON forbids it raw).
  if (!/\\u0000/i.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return nulInValue(value, '');
}

function nulInValue(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes(NUL) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = nulInValue(item, `${path}[${index}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const itemPath = path === '' ? visible(key) : `${path}.${visible(key)}`;
    if (key.includes(NUL)) return itemPath;
    const found = nulInValue(item, itemPath);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A name as a `ref` can show it: the NUL written as its escape. */
function visible(name: string): string {
  return name.replaceAll(NUL, '\\u0000');
}
