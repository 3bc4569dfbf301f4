import { readFileSync } from 'node:fs';
import { BILLING_ACCESS } from '@wagate/billing';
import { billing, dispatch, fleet, templates } from '@wagate/contracts';
import { DISPATCH_ACCESS } from '@wagate/dispatch';
import { FLEET_ACCESS } from '@wagate/fleet';
import { accessTableMarkdown } from '@wagate/rpc';
import { TEMPLATES_ACCESS } from '@wagate/templates';
import { expect, test } from 'vitest';

const document = readFileSync(new URL('../../../docs/security.md', import.meta.url), 'utf8');

test('docs/security.md lists exactly who may call each internal method, as the servers enforce it', () => {
  const tables = [
    accessTableMarkdown(billing.BillingServiceDefinition, BILLING_ACCESS),
    accessTableMarkdown(templates.TemplatesServiceDefinition, TEMPLATES_ACCESS),
    accessTableMarkdown(dispatch.DispatchServiceDefinition, DISPATCH_ACCESS),
    accessTableMarkdown(fleet.FleetServiceDefinition, FLEET_ACCESS),
  ];
  for (const table of tables) {
    // On a change of an access table, paste the table this message prints into docs/security.md.
    expect(document, `docs/security.md is missing or differs from:\n\n${table}\n`).toContain(table);
  }
});
