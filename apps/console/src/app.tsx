import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, call } from './api';
import { AccountsPage } from './pages/accounts';
import { DevicesPage } from './pages/devices';
import { KeysPage } from './pages/keys';
import { MessagePage, MessagesPage } from './pages/messages';
import { OverviewPage } from './pages/overview';
import { PolicyPage } from './pages/policy';
import { ReviewsPage } from './pages/reviews';
import { SendPage } from './pages/send';
import { TemplatesPage } from './pages/templates';
import { UsagePage } from './pages/usage';
import { WebhooksPage } from './pages/webhooks';
import { href, useRoute } from './router';
import { type Me, useMe } from './session';
import { Field, FormError, Loading } from './ui/form';

interface NavItem {
  path: string;
  label: string;
  shown: (me: Me) => boolean;
}

const nav: NavItem[] = [
  { path: 'overview', label: 'Overview', shown: (me) => me.can('read') },
  { path: 'messages', label: 'Messages', shown: (me) => me.can('read') },
  { path: 'send', label: 'Send a test', shown: (me) => me.can('send') },
  { path: 'templates', label: 'Templates', shown: (me) => me.can('read') },
  { path: 'webhooks', label: 'Webhooks', shown: (me) => me.can('read') },
  { path: 'keys', label: 'API keys', shown: (me) => me.can('read') },
  { path: 'usage', label: 'Usage', shown: (me) => me.can('read') },
  { path: 'policy', label: 'Opt-outs & blocklist', shown: (me) => me.can('read') },
  { path: 'accounts', label: 'Accounts', shown: (me) => me.supervises },
  { path: 'reviews', label: 'Template reviews', shown: (me) => me.supervises && me.can('manage') },
  { path: 'devices', label: 'Devices', shown: (me) => me.operates },
];

export function App() {
  const me = useMe();
  if (me.isPending) return <Loading what="the console" />;
  if (me.isError) return <FormError error={me.error} />;
  if (!me.data) return <SignIn />;
  return <Shell me={me.data} />;
}

function SignIn() {
  const client = useQueryClient();
  const [key, setKey] = useState('');
  const signIn = useMutation({
    // The key goes to the server once, in the Authorization header; the browser keeps only
    // the HttpOnly session cookie the answer sets.
    mutationFn: (apiKey: string) =>
      call(api.POST('/v1/session', { headers: { authorization: `Key ${apiKey}` } })),
    onSuccess: () => {
      setKey('');
      return client.invalidateQueries();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate(key.trim());
  };
  return (
    <main className="signin">
      <h1>wagate console</h1>
      <p>Sign in with an API key. It is exchanged for a session and not kept in this browser.</p>
      <form onSubmit={submit}>
        <Field label="API key" name="authorization" error={signIn.error}>
          {(id, describedBy) => (
            <input
              id={id}
              type="password"
              autoComplete="off"
              value={key}
              onChange={(event) => setKey(event.target.value)}
              aria-describedby={describedBy}
              required
            />
          )}
        </Field>
        <FormError error={signIn.error} />
        <button type="submit" disabled={signIn.isPending}>
          Sign in
        </button>
      </form>
    </main>
  );
}

function Shell({ me }: { me: Me }) {
  const client = useQueryClient();
  const route = useRoute();
  const items = nav.filter((item) => item.shown(me));
  const page = route[0] ?? items[0]?.path ?? 'send';
  const signOut = useMutation({
    mutationFn: () => call(api.DELETE('/v1/session')),
    onSettled: () => client.resetQueries(),
  });
  return (
    <div className="shell">
      <header>
        <span className="brand">wagate</span>
        <span className="who">
          {me.account?.name ?? me.session.accountId} · {me.account?.kind ?? 'key'} ·{' '}
          {me.session.scopes.join(', ')}
        </span>
        <button type="button" onClick={() => signOut.mutate()}>
          Sign out
        </button>
      </header>
      <nav aria-label="Pages">
        <ul>
          {items.map((item) => (
            <li key={item.path}>
              <a href={href(item.path)} aria-current={item.path === page ? 'page' : undefined}>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main>
        <Page me={me} page={page} rest={route.slice(1)} />
      </main>
    </div>
  );
}

function Page({ me, page, rest }: { me: Me; page: string; rest: string[] }) {
  switch (page) {
    case 'overview':
      return <OverviewPage />;
    case 'messages':
      return rest[0] ? <MessagePage messageId={rest[0]} /> : <MessagesPage />;
    case 'send':
      return <SendPage />;
    case 'templates':
      return <TemplatesPage templateId={rest[0]} />;
    case 'webhooks':
      return <WebhooksPage />;
    case 'keys':
      return <KeysPage accountId={me.session.accountId} />;
    case 'usage':
      return <UsagePage me={me} />;
    case 'policy':
      return <PolicyPage />;
    case 'accounts':
      return <AccountsPage me={me} accountId={rest[0]} />;
    case 'reviews':
      return <ReviewsPage me={me} />;
    case 'devices':
      return <DevicesPage deviceId={rest[0]} />;
    default:
      return <p>No page "{page}".</p>;
  }
}
