import { z } from 'zod';

/** Thrown at start-up when the environment does not describe a runnable service. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** What docs/configuration.md says about one variable; every variable of a schema has one. */
export interface VariableDoc {
  /** What the variable governs, and why one would set it. */
  description: string;
  /** The values it takes, e.g. `integer 1–1000`, `true or false`, `host:port`. */
  accepts: string;
  /** Its value when unset, as written in the environment; absent: no default. */
  default?: string;
  /** The process refuses to start without it. */
  required?: boolean;
}

/** The documentation of every variable made with `env` (or `documented`). */
export const variableDocs = z.registry<VariableDoc>();

/** A process's (or a package's piece of) configuration: variable name → its schema. */
export type ConfigShape = Record<string, z.ZodType>;

/** The values `readConfig(shape)` returns. */
export type ConfigOf<Shape extends ConfigShape> = z.infer<z.ZodObject<Shape>>;

/**
 * Reads a service's configuration once, from environment variables named exactly like the
 * schema's keys, and fails fast with every bad variable named.
 */
export function readConfig<Shape extends ConfigShape>(
  shape: Shape,
  env: Record<string, string | undefined> = process.env,
): ConfigOf<Shape> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
}

/** Attaches `doc` to a schema `env` has no helper for (a list in a format of its own, say). */
export function documented<T extends z.ZodType>(schema: T, doc: VariableDoc): T {
  variableDocs.add(schema, doc);
  return schema;
}

interface Described {
  description: string;
}

interface Bounds {
  min?: number;
  max?: number;
  /** What the number counts, for the documentation: `milliseconds`, `seconds`, `percent`… */
  unit?: string;
}

function boundsText({ min, max, unit }: Bounds, integer: boolean): string {
  const what = unit ?? (integer ? 'integer' : 'number');
  if (min !== undefined && max !== undefined) return `${what}, ${min}–${max}`;
  if (min !== undefined) return `${what}, at least ${min}`;
  if (max !== undefined) return `${what}, at most ${max}`;
  return what;
}

function numberSchema(bounds: Bounds, integer: boolean) {
  let schema = integer ? z.coerce.number().int() : z.coerce.number();
  if (bounds.min !== undefined) schema = schema.min(bounds.min);
  if (bounds.max !== undefined) schema = schema.max(bounds.max);
  return schema;
}

type NumberOptions = Described & Bounds;

function number(integer: boolean) {
  function make(options: NumberOptions & { default: number }): z.ZodType<number>;
  function make(options: NumberOptions & { optional: true }): z.ZodType<number | undefined>;
  function make(options: NumberOptions): z.ZodType<number>;
  function make(
    options: NumberOptions & { default?: number; optional?: boolean },
  ): z.ZodType<number | undefined> {
    const base = numberSchema(options, integer);
    const doc = { description: options.description, accepts: boundsText(options, integer) };
    if (options.default !== undefined) {
      return documented(base.default(options.default), { ...doc, default: String(options.default) });
    }
    if (options.optional) return documented(base.optional(), doc);
    return documented(base, { ...doc, required: true });
  }
  return make;
}

function string(
  options: Described & { default: string; minLength?: number; pattern?: RegExp; accepts?: string },
): z.ZodType<string>;
function string(
  options: Described & { optional: true; minLength?: number; pattern?: RegExp; accepts?: string },
): z.ZodType<string | undefined>;
function string(
  options: Described & { minLength?: number; pattern?: RegExp; accepts?: string },
): z.ZodType<string>;
function string(
  options: Described & {
    default?: string;
    optional?: boolean;
    minLength?: number;
    pattern?: RegExp;
    accepts?: string;
  },
): z.ZodType<string | undefined> {
  const accepts = options.accepts ?? textBounds(options.minLength);
  let base = z.string({ error: (issue) => (issue.input === undefined ? `required: ${accepts}` : undefined) });
  if (options.minLength !== undefined) {
    base = base.min(options.minLength, `must be at least ${options.minLength} characters`);
  }
  if (options.pattern) base = base.regex(options.pattern, `expected ${accepts}`);
  const doc = { description: options.description, accepts };
  if (options.default !== undefined) {
    return documented(base.default(options.default), { ...doc, default: options.default });
  }
  if (options.optional) return documented(base.optional(), doc);
  return documented(base, { ...doc, required: true });
}

function textBounds(minLength: number | undefined): string {
  if (!minLength) return 'text';
  return minLength === 1 ? 'non-empty text' : `text, at least ${minLength} characters`;
}

const ADDRESS = /^[^\s:]+:\d+$/;
const FLAG_VALUES = ['true', 'false', '1', '0'] as const;

function address(options: Described & { default: string }): z.ZodType<string>;
function address(options: Described): z.ZodType<string>;
function address(options: Described & { default?: string }): z.ZodType<string> {
  const base = z
    .string({ error: (issue) => (issue.input === undefined ? 'required: host:port' : undefined) })
    .regex(ADDRESS, 'expected host:port');
  const doc = { description: options.description, accepts: 'host:port' };
  if (options.default !== undefined) {
    return documented(base.default(options.default), { ...doc, default: options.default });
  }
  return documented(base, { ...doc, required: true });
}

function flag(options: Described & { default: boolean }): z.ZodType<boolean>;
function flag(options: Described & { optional: true }): z.ZodType<boolean | undefined>;
function flag(
  options: Described & { default?: boolean; optional?: boolean },
): z.ZodType<boolean | undefined> {
  const doc = { description: options.description, accepts: 'true or false (1 or 0)' };
  if (options.default === undefined) {
    return documented(
      z
        .enum(FLAG_VALUES)
        .optional()
        .transform((value) => (value === undefined ? undefined : value === 'true' || value === '1')),
      doc,
    );
  }
  return documented(
    z
      .enum(FLAG_VALUES)
      .default(options.default ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1'),
    { ...doc, default: String(options.default) },
  );
}

function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
  options: Described & { default: T[number] },
): z.ZodType<T[number]> {
  return documented(z.enum(values).default(options.default as never), {
    description: options.description,
    accepts: values.map((value) => `\`${value}\``).join(', '),
    default: options.default,
  }) as unknown as z.ZodType<T[number]>;
}

/**
 * Variable types with their bounds and documentation: each takes a `description` (what it
 * governs) and either a `default`, `optional: true`, or neither (then the process refuses to
 * start without it).
 */
export const env = {
  /** A TCP port; 0 picks a free one. */
  port: (options: Described & { default: number }) =>
    number(true)({ ...options, min: 0, max: 65_535, unit: 'port' }),
  int: number(true),
  number: number(false),
  string,
  /** `host:port` of a gRPC peer. */
  address,
  bool: flag,
  oneOf,
  /** A file path; empty counts as unset (so `VAR=` in a compose file means "not given"). */
  file: (options: Described) =>
    documented(
      z
        .string()
        .optional()
        .transform((value) => (value === '' ? undefined : value)),
      { description: options.description, accepts: 'a file path' },
    ),
  /** A variable that no longer does anything: setting it stops the process with `instead`. */
  removed: (options: Described & { instead: string }) =>
    documented(z.undefined({ error: options.instead }).optional(), {
      description: options.description,
      accepts: 'must not be set',
    }),
};
