import type { CompatServiceDefinition } from 'nice-grpc';

/**
 * The services of the internal plane. Each holds one certificate, issued by the operator's
 * internal CA, whose common name is its identity; servers decide by that name who may call what.
 */
export const SERVICE_IDENTITIES = ['api', 'billing', 'templates', 'dispatch', 'fleet'] as const;
export type ServiceIdentity = (typeof SERVICE_IDENTITIES)[number];

export function isServiceIdentity(name: string | undefined): name is ServiceIdentity {
  return (SERVICE_IDENTITIES as readonly string[]).includes(name ?? '');
}

/** A generated service definition (ts-proto, nice-grpc flavour): its full name and methods. */
export type ProtoServiceDefinition = CompatServiceDefinition & {
  readonly fullName: string;
  readonly methods: Readonly<Record<string, { readonly name: string }>>;
};

/**
 * Which caller identities may call each method of a service. Every method must be listed (a
 * new method without an entry does not compile), and an empty list means nobody may.
 */
export type AccessTable<D extends ProtoServiceDefinition> = {
  readonly [Method in keyof D['methods']]: readonly ServiceIdentity[];
};

/** The gRPC path of every method (`/wagate.billing.v1.BillingService/CreateKey`) → who may call it. */
export function accessByPath<D extends ProtoServiceDefinition>(
  definition: D,
  access: AccessTable<D>,
): Map<string, ReadonlySet<ServiceIdentity>> {
  const byPath = new Map<string, ReadonlySet<ServiceIdentity>>();
  for (const [key, method] of Object.entries(definition.methods)) {
    byPath.set(methodPath(definition, method.name), new Set(access[key as keyof D['methods']]));
  }
  return byPath;
}

export function methodPath(definition: ProtoServiceDefinition, methodName: string): string {
  return `/${definition.fullName}/${methodName}`;
}

/** The service identity a generated definition belongs to, so a client checks it reached the right server. */
export function serverIdentityOf(definition: ProtoServiceDefinition): ServiceIdentity | undefined {
  const [, domain] = /^wagate\.(\w+)\.v\d+\./.exec(definition.fullName) ?? [];
  return isServiceIdentity(domain) ? domain : undefined;
}

/**
 * The access table of a service as a Markdown table (method → callers), for docs/security.md:
 * a test keeps the document equal to the tables the servers enforce.
 */
export function accessTableMarkdown<D extends ProtoServiceDefinition>(definition: D, access: AccessTable<D>): string {
  const rows = Object.entries(definition.methods).map(([key, method]) => {
    const callers = access[key as keyof D['methods']];
    return `| \`${method.name}\` | ${callers.length === 0 ? 'nobody' : callers.join(', ')} |`;
  });
  return [`**${definition.fullName}**`, '', '| method | who may call it |', '|---|---|', ...rows].join('\n');
}
