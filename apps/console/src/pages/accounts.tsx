import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { components } from '@wagate/client';
import { type FormEvent, useEffect, useState } from 'react';
import { api, call, money, when } from '../api';
import { go, href } from '../router';
import type { Me } from '../session';
import { Field, FormError, Loading } from '../ui/form';
import { CursorList } from '../ui/pager';
import { KeysPage } from './keys';

type Account = components['schemas']['Account'];
type Kind = components['schemas']['CreateAccount']['kind'];
type Status = NonNullable<components['schemas']['UpdateAccount']['status']>;

/** The account tree below the signed-in account; with an id, that account's page. */
export function AccountsPage({ me, accountId }: { me: Me; accountId?: string | undefined }) {
  if (accountId) return <AccountPage me={me} accountId={accountId} />;
  return (
    <>
      <h1>Accounts</h1>
      <CreateAccount parentId={me.session.accountId} />
      <h2>Below {me.account?.name}</h2>
      <Children parentId={me.session.accountId} />
    </>
  );
}

/** One level of the tree, each account expandable into its own children. */
function Children({ parentId }: { parentId: string }) {
  return (
    <CursorList
      queryKey={['accounts', parentId]}
      what="sub-accounts"
      fetchPage={(cursor) =>
        call(api.GET('/v1/accounts', { params: { query: { parentId, cursor, limit: 50 } } }))
      }
      render={(accounts) => (
        <ul className="tree">
          {accounts.map((account) => (
            <TreeNode key={account.id} account={account} />
          ))}
        </ul>
      )}
    />
  );
}

function TreeNode({ account }: { account: Account }) {
  const [open, setOpen] = useState(false);
  return (
    <li>
      {account.kind === 'reseller' && (
        <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? '▾' : '▸'}
          <span className="visually-hidden"> sub-accounts of {account.name}</span>
        </button>
      )}
      <a href={href('accounts', account.id)}>{account.name}</a> <span className="muted">{account.kind}</span>{' '}
      <span className={`status status-${account.status}`}>{account.status}</span> ·{' '}
      {money(account.balanceMinor, account.currency)}
      {open && <Children parentId={account.id} />}
    </li>
  );
}

function CreateAccount({ parentId }: { parentId: string }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState({ name: '', kind: 'customer' as Kind, markupBps: '' });
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/accounts', {
          body: {
            name: draft.name,
            kind: draft.kind,
            parentId,
            ...(draft.markupBps ? { markupBps: Number(draft.markupBps) } : {}),
          },
        }),
      ),
    onSuccess: async (account) => {
      await client.invalidateQueries({ queryKey: ['accounts'] });
      go('accounts', account.id);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="card inline" onSubmit={submit} aria-label="Create a sub-account">
      <h2>New sub-account</h2>
      <Field label="Account name" name="name" error={create.error}>
        {(id, describedBy) => (
          <input
            id={id}
            value={draft.name}
            aria-describedby={describedBy}
            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
          />
        )}
      </Field>
      <Field label="Kind" name="kind" error={create.error}>
        {(id) => (
          <select
            id={id}
            value={draft.kind}
            onChange={(e) => setDraft({ ...draft, kind: e.target.value as Kind })}
          >
            <option>customer</option>
            <option>reseller</option>
          </select>
        )}
      </Field>
      <Field label="Markup (basis points)" name="markupBps" error={create.error}>
        {(id, describedBy) => (
          <input
            id={id}
            inputMode="numeric"
            value={draft.markupBps}
            aria-describedby={describedBy}
            onChange={(e) => setDraft({ ...draft, markupBps: e.target.value })}
          />
        )}
      </Field>
      <button type="submit" disabled={create.isPending}>
        Create
      </button>
      <FormError error={create.error} fields={['name', 'kind', 'markupBps']} />
    </form>
  );
}

function AccountPage({ me, accountId }: { me: Me; accountId: string }) {
  const client = useQueryClient();
  const account = useQuery({
    queryKey: ['account', accountId],
    queryFn: () => call(api.GET('/v1/accounts/{accountId}', { params: { path: { accountId } } })),
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['account', accountId] });
  const setStatus = useMutation({
    mutationFn: (status: Status) =>
      call(api.PATCH('/v1/accounts/{accountId}', { params: { path: { accountId } }, body: { status } })),
    onSuccess: refresh,
  });
  if (account.isPending) return <Loading what="the account" />;
  if (account.isError) return <FormError error={account.error} />;
  const a = account.data;
  return (
    <>
      <h1>
        {a.name} <span className="muted">({a.kind})</span>
      </h1>
      <dl className="facts">
        <dt>Id</dt>
        <dd>
          <code>{a.id}</code>
        </dd>
        <dt>Status</dt>
        <dd data-testid="account-status">{a.status}</dd>
        <dt>Balance</dt>
        <dd>{money(a.balanceMinor, a.currency)}</dd>
        <dt>Created</dt>
        <dd>{when(a.createdAt)}</dd>
      </dl>
      {me.can('manage') && a.status !== 'closed' && (
        <p>
          {a.status === 'active' ? (
            <button type="button" onClick={() => setStatus.mutate('suspended')}>
              Suspend
            </button>
          ) : (
            <button type="button" onClick={() => setStatus.mutate('active')}>
              Reactivate
            </button>
          )}{' '}
          <button type="button" className="danger" onClick={() => setStatus.mutate('closed')}>
            Close
          </button>
        </p>
      )}
      <FormError error={setStatus.error} />
      <Limits account={a} onDone={refresh} />
      <Transfer account={a} onDone={refresh} />
      <Prices accountId={accountId} editable={me.can('manage') && accountId !== me.session.accountId} />
      <KeysPage accountId={accountId} />
    </>
  );
}

const numberOrNull = (text: string) => (text.trim() === '' ? null : Number(text));

function Limits({ account, onDone }: { account: Account; onDone: () => void }) {
  const [draft, setDraft] = useState({
    markupBps: '',
    creditLimitMinor: '',
    dailyQuota: '',
    monthlyQuota: '',
  });
  useEffect(() => {
    setDraft({
      markupBps: String(account.markupBps),
      creditLimitMinor: account.creditLimitMinor === null ? '' : String(account.creditLimitMinor),
      dailyQuota: account.dailyQuota === null ? '' : String(account.dailyQuota),
      monthlyQuota: account.monthlyQuota === null ? '' : String(account.monthlyQuota),
    });
  }, [account]);
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PATCH('/v1/accounts/{accountId}', {
          params: { path: { accountId: account.id } },
          body: {
            markupBps: Number(draft.markupBps),
            creditLimitMinor: numberOrNull(draft.creditLimitMinor),
            dailyQuota: numberOrNull(draft.dailyQuota),
            monthlyQuota: numberOrNull(draft.monthlyQuota),
          },
        }),
      ),
    onSuccess: onDone,
  });
  const fields = [
    ['markupBps', 'Markup (basis points)'],
    ['creditLimitMinor', 'Credit limit (minor units, blank: none)'],
    ['dailyQuota', 'Messages a day (blank: no quota)'],
    ['monthlyQuota', 'Messages a month (blank: no quota)'],
  ] as const;
  return (
    <form
      className="card inline"
      aria-label="Markup, credit limit and quotas"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate();
      }}
    >
      <h2>Markup, credit and quotas</h2>
      {fields.map(([name, label]) => (
        <Field key={name} label={label} name={name} error={save.error}>
          {(id, describedBy) => (
            <input
              id={id}
              inputMode="numeric"
              value={draft[name]}
              aria-describedby={describedBy}
              onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
            />
          )}
        </Field>
      ))}
      <button type="submit">Save</button>
      <FormError error={save.error} fields={fields.map(([name]) => name)} />
    </form>
  );
}

function Transfer({ account, onDone }: { account: Account; onDone: () => void }) {
  const [amount, setAmount] = useState('');
  const [memo, setMemo] = useState('');
  const transfer = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/accounts/{accountId}/credit', {
          params: { path: { accountId: account.id } },
          body: { amountMinor: Math.round(Number(amount) * 100), ...(memo ? { memo } : {}) },
        }),
      ),
    onSuccess: () => {
      setAmount('');
      onDone();
    },
  });
  return (
    <form
      className="card inline"
      aria-label="Transfer credit"
      onSubmit={(event) => {
        event.preventDefault();
        transfer.mutate();
      }}
    >
      <h2>Transfer credit</h2>
      <Field
        label={`Amount in ${account.currency} (negative takes it back)`}
        name="amountMinor"
        error={transfer.error}
      >
        {(id, describedBy) => (
          <input
            id={id}
            inputMode="decimal"
            value={amount}
            aria-describedby={describedBy}
            onChange={(e) => setAmount(e.target.value)}
          />
        )}
      </Field>
      <Field label="Memo" name="memo" error={transfer.error}>
        {(id) => <input id={id} value={memo} onChange={(e) => setMemo(e.target.value)} />}
      </Field>
      <button type="submit">Transfer</button>
      <FormError error={transfer.error} fields={['amountMinor', 'memo']} />
    </form>
  );
}

type Price = components['schemas']['Price'];
type PriceKind = Price['kind'];
const priceKinds: PriceKind[] = [
  'text',
  'media',
  'template:marketing',
  'template:utility',
  'template:authentication',
];

/** The price list the parent sets for the account: shown, and one row added or changed at a time. */
function Prices({ accountId, editable }: { accountId: string; editable: boolean }) {
  const client = useQueryClient();
  const prices = useQuery({
    queryKey: ['prices', accountId],
    queryFn: () => call(api.GET('/v1/accounts/{accountId}/prices', { params: { path: { accountId } } })),
  });
  const [draft, setDraft] = useState({ country: '*', kind: 'text' as PriceKind, price: '' });
  const save = useMutation({
    // PUT replaces the whole list: the current rows, with this country and kind set anew.
    mutationFn: (list: Price[]) =>
      call(
        api.PUT('/v1/accounts/{accountId}/prices', {
          params: { path: { accountId } },
          body: { prices: list },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ['prices', accountId] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const others = (prices.data?.prices ?? []).filter(
      (price) => price.country !== draft.country || price.kind !== draft.kind,
    );
    save.mutate([
      ...others,
      { country: draft.country, kind: draft.kind, priceMinor: Math.round(Number(draft.price) * 100) },
    ]);
  };
  return (
    <section aria-labelledby={`prices-${accountId}`}>
      <h2 id={`prices-${accountId}`}>Prices</h2>
      <FormError error={prices.error} />
      {prices.data && (
        <>
          <p className="muted">
            Markup {prices.data.markupBps / 100}% over the parent's price where the list sets nothing.
          </p>
          {prices.data.prices.length === 0 ? (
            <p className="muted">No prices set for this account.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Country</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Price</th>
                </tr>
              </thead>
              <tbody>
                {prices.data.prices.map((price) => (
                  <tr key={`${price.country}-${price.kind}`}>
                    <td>{price.country}</td>
                    <td>{price.kind}</td>
                    <td>{money(price.priceMinor, prices.data.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      {editable && (
        <form className="inline card" onSubmit={submit} aria-label="Set a price">
          <Field label="Country (ISO code, * for any)" name="country" error={save.error}>
            {(id, describedBy) => (
              <input
                id={id}
                value={draft.country}
                aria-describedby={describedBy}
                onChange={(e) => setDraft({ ...draft, country: e.target.value })}
              />
            )}
          </Field>
          <Field label="Kind" name="kind" error={save.error}>
            {(id) => (
              <select
                id={id}
                value={draft.kind}
                onChange={(e) => setDraft({ ...draft, kind: e.target.value as PriceKind })}
              >
                {priceKinds.map((kind) => (
                  <option key={kind}>{kind}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Price per message" name="priceMinor" error={save.error}>
            {(id, describedBy) => (
              <input
                id={id}
                inputMode="decimal"
                value={draft.price}
                aria-describedby={describedBy}
                onChange={(e) => setDraft({ ...draft, price: e.target.value })}
              />
            )}
          </Field>
          <button type="submit">Set price</button>
          <FormError error={save.error} fields={['country', 'kind', 'priceMinor']} />
        </form>
      )}
    </section>
  );
}
