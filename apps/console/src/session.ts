import { useQuery } from '@tanstack/react-query';
import type { components } from '@wagate/client';
import { ApiFailure, api, call } from './api';

export type Account = components['schemas']['Account'];
export type Session = components['schemas']['Session'];

export interface Me {
  session: Session;
  /** Null when the key lacks `read` (a send-only key sees only the send page). */
  account: Account | null;
  can: (scope: 'send' | 'read' | 'manage') => boolean;
  /** Resellers and the platform look after accounts below them. */
  supervises: boolean;
  /** The platform runs the fleet; resellers see their subtree's devices too. */
  operates: boolean;
}

/** Who is signed in, or null when nobody is (no session, or it ended). */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async (): Promise<Me | null> => {
      try {
        const session = await call(api.GET('/v1/session'));
        const account = session.scopes.includes('read') ? await call(api.GET('/v1/account')) : null;
        return {
          session,
          account,
          can: (scope) => session.scopes.includes(scope),
          supervises: account !== null && account.kind !== 'customer',
          operates: account !== null && account.kind !== 'customer',
        };
      } catch (error) {
        if (error instanceof ApiFailure && error.status === 401) return null;
        throw error;
      }
    },
  });
}
