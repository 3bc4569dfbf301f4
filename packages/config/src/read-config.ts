import { z } from 'zod';

/** Thrown at start-up when the environment does not describe a runnable service. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads a service's configuration once, from environment variables named exactly like the
 * schema's keys, and fails fast with every bad variable named.
 */
export function readConfig<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<Shape>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
}

/** Reusable variable types. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  url: () => z.string().url(),
  /** `host:port` of a gRPC peer. */
  address: (fallback?: string) =>
    fallback === undefined
      ? z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')
      : z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port').default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1'),
  int: (fallback: number) => z.coerce.number().int().default(fallback),
};
