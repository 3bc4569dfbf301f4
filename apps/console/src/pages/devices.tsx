import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { components } from '@wagate/client';
import { type FormEvent, useState } from 'react';
import { api, call, when } from '../api';
import { href } from '../router';
import { Field, FormError, Loading } from '../ui/form';
import { CursorList } from '../ui/pager';

type Device = components['schemas']['Device'];

const age = (iso: string | null | undefined) => {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return seconds < 120 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
};

/** The device wall: every device of the subtree at a glance; with an id, that device. */
export function DevicesPage({ deviceId }: { deviceId?: string | undefined }) {
  if (deviceId) return <DevicePage deviceId={deviceId} />;
  return (
    <>
      <h1>Devices</h1>
      <CursorList
        queryKey={['devices']}
        what="devices"
        fetchPage={(cursor) => call(api.GET('/v1/devices', { params: { query: { cursor, limit: 100 } } }))}
        render={(devices) => (
          <ul className="wall">
            {devices.map((device) => (
              <DeviceCard key={device.deviceId} device={device} />
            ))}
          </ul>
        )}
      />
      <Senders />
      <EnrolmentTokens />
    </>
  );
}

/** Its warm-up day and today's new contacts against the allowance (docs/pacing.md). */
function pace(device: Device): string {
  if (!device.pacing) return 'not paced yet';
  const { warmupDay, newContactsToday, newContactsAllowedToday } = device.pacing;
  const allowed = newContactsAllowedToday >= 2_147_483_647 ? 'no cap' : newContactsAllowedToday;
  return `warm-up day ${warmupDay} · new contacts ${newContactsToday}/${allowed}`;
}

/** The last job results as counts: sent, failed (and failed as a ban would). */
function results(recent: string): string {
  if (!recent) return 'no results yet';
  const count = (c: string) => [...recent].filter((r) => r === c).length;
  const banned = count('b');
  return `last ${recent.length}: ${count('s')} sent, ${count('f') + banned} failed${banned ? ` (${banned} ban-like)` : ''}`;
}

function DeviceCard({ device }: { device: Device }) {
  return (
    <li className={`device device-${device.state} admin-${device.adminState}`}>
      <a href={href('devices', device.deviceId)}>{device.phoneNumber || device.deviceId}</a>
      <span data-testid={`device-state-${device.deviceId}`}>
        {device.state} · {device.adminState}
      </span>
      <span className="muted">sender {device.sender || '—'}</span>
      <span className="muted">heartbeat {age(device.health?.lastHeartbeatAt)}</span>
      <span className="muted">{device.accepting ? 'accepting work' : 'not accepting work'}</span>
      <span className="muted">{pace(device)}</span>
      <span className="muted">
        today {device.jobsToday} jobs · {results(device.recentResults)}
      </span>
    </li>
  );
}

function DevicePage({ deviceId }: { deviceId: string }) {
  const client = useQueryClient();
  const [reason, setReason] = useState('');
  const device = useQuery({
    queryKey: ['device', deviceId],
    queryFn: () => call(api.GET('/v1/devices/{deviceId}', { params: { path: { deviceId } } })),
    refetchInterval: 5_000,
  });
  const change = useMutation({
    mutationFn: (action: 'quarantine' | 'drain' | 'release') => {
      const options = { params: { path: { deviceId } }, body: reason ? { reason } : {} };
      if (action === 'quarantine') return call(api.POST('/v1/devices/{deviceId}/quarantine', options));
      if (action === 'drain') return call(api.POST('/v1/devices/{deviceId}/drain', options));
      return call(api.POST('/v1/devices/{deviceId}/release', options));
    },
    onSuccess: () => {
      setReason('');
      return client.invalidateQueries({ queryKey: ['device', deviceId] });
    },
  });
  if (device.isPending) return <Loading what="the device" />;
  if (device.isError) return <FormError error={device.error} />;
  const d = device.data.device;
  const act = (event: FormEvent) => event.preventDefault();
  return (
    <>
      <h1>Device {d.phoneNumber || d.deviceId}</h1>
      <dl className="facts">
        <dt>State</dt>
        <dd data-testid="device-state">{d.state}</dd>
        <dt>Admin state</dt>
        <dd data-testid="device-admin-state">{d.adminState}</dd>
        <dt>Why</dt>
        <dd>{d.stateReason || '—'}</dd>
        <dt>Heartbeat</dt>
        <dd>{age(d.health?.lastHeartbeatAt)}</dd>
        <dt>Battery / network / WhatsApp</dt>
        <dd>
          {d.health
            ? `${d.health.batteryPercent ?? '?'}% · ${d.health.networkUp ? 'network up' : 'network down'} · ${d.health.whatsappState ?? '?'}`
            : '—'}
        </dd>
        <dt>Pacing</dt>
        <dd>{pace(d)}</dd>
        <dt>Jobs today (UTC)</dt>
        <dd>
          {d.jobsToday} · {results(d.recentResults)}
        </dd>
        <dt>Sender</dt>
        <dd>{d.sender || '—'}</dd>
        <dt>Account</dt>
        <dd>{d.accountId}</dd>
        <dt>Agent / driver</dt>
        <dd>
          {d.agentId} / {d.driver}, Android {d.androidVersion}, WhatsApp {d.whatsappVersion}
        </dd>
      </dl>
      <form className="inline card" onSubmit={act} aria-label="Change the device's admin state">
        <Field label="Reason" name="reason" error={change.error}>
          {(id) => <input id={id} value={reason} onChange={(event) => setReason(event.target.value)} />}
        </Field>
        <button type="button" onClick={() => change.mutate('quarantine')}>
          Quarantine
        </button>
        <button type="button" onClick={() => change.mutate('drain')}>
          Drain
        </button>
        <button type="button" onClick={() => change.mutate('release')}>
          Release
        </button>
      </form>
      <FormError error={change.error} fields={['reason']} />
      <h2>History</h2>
      <ol className="timeline">
        {device.data.history.map((entry) => (
          <li key={`${entry.at}-${entry.change}-${entry.to}`}>
            {when(entry.at)} · {entry.change}: {entry.from || '—'} → <strong>{entry.to}</strong>
            {entry.reason && <span className="muted"> · {entry.reason}</span>}
          </li>
        ))}
      </ol>
    </>
  );
}

/**
 * Each sender pool of the accounts whose devices are on the wall (first 100 devices), with its
 * queue depth: the operator sees where messages pile up.
 */
function Senders() {
  const wall = useQuery({
    queryKey: ['devices', 'accounts'],
    queryFn: () => call(api.GET('/v1/devices', { params: { query: { limit: 100 } } })),
  });
  const accountIds = [...new Set((wall.data?.data ?? []).map((device) => device.accountId))];
  return (
    <section aria-labelledby="senders-h">
      <h2 id="senders-h">Sender pools</h2>
      <FormError error={wall.error} />
      {wall.data && accountIds.length === 0 && <p className="muted">No devices, so no pools to show.</p>}
      {accountIds.map((accountId) => (
        <AccountSenders key={accountId} accountId={accountId} />
      ))}
    </section>
  );
}

function AccountSenders({ accountId }: { accountId: string }) {
  return (
    <>
      <h3>{accountId}</h3>
      <CursorList
        queryKey={['senders', accountId]}
        what="senders"
        fetchPage={(cursor) =>
          call(api.GET('/v1/senders', { params: { query: { accountId, cursor, limit: 50 } } }))
        }
        render={(senders) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Sender</th>
                <th scope="col">Numbers</th>
                <th scope="col">Devices connected</th>
                <th scope="col">Queue depth</th>
              </tr>
            </thead>
            <tbody>
              {senders.map((sender) => (
                <tr key={sender.senderId}>
                  <td>{sender.name}</td>
                  <td>{sender.numbers.join(', ')}</td>
                  <td>
                    {sender.devicesConnected} of {sender.devices}
                  </td>
                  <td data-testid={`queue-${sender.name}`}>{sender.queuedJobs}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      />
    </>
  );
}

function EnrolmentTokens() {
  const [draft, setDraft] = useState({ maxUses: '1', sender: '' });
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/enrolment-tokens', {
          body: { maxUses: Number(draft.maxUses), ...(draft.sender ? { sender: draft.sender } : {}) },
        }),
      ),
  });
  return (
    <form
      className="card inline"
      aria-label="Make an enrolment token"
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate();
      }}
    >
      <h2>Enrolment tokens</h2>
      <Field label="Uses" name="maxUses" error={create.error}>
        {(id, describedBy) => (
          <input
            id={id}
            inputMode="numeric"
            value={draft.maxUses}
            aria-describedby={describedBy}
            onChange={(e) => setDraft({ ...draft, maxUses: e.target.value })}
          />
        )}
      </Field>
      <Field label="Sender the devices serve" name="sender" error={create.error}>
        {(id, describedBy) => (
          <input
            id={id}
            value={draft.sender}
            aria-describedby={describedBy}
            onChange={(e) => setDraft({ ...draft, sender: e.target.value })}
          />
        )}
      </Field>
      <button type="submit">Make token</button>
      <FormError error={create.error} fields={['maxUses', 'sender']} />
      {create.data && (
        <p role="status">
          Token (shown once; give it to the agent): <code>{create.data.token}</code>, valid until{' '}
          {when(create.data.expiresAt)}
        </p>
      )}
    </form>
  );
}
