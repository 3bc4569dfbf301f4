import {
  type AutomationServerOptions,
  type SendJob,
  startAutomationServer,
  tokenSha256,
} from '../../src/index.js';

/**
 * What an automation app on a phone does, as plain HTTP: the tests drive the driver's
 * server exactly the way Automagic's "HTTP Request" action would.
 */
export function automationPhone(baseUrl: string, token: string) {
  const url = (path: string) => `${baseUrl}/automation/v1${path}`;
  const auth = { authorization: `Bearer ${token}` };
  const postJson = (path: string, body: unknown) =>
    fetch(url(path), {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return {
    poll: (query = 'wait=0') => fetch(url(`/next?${query}`), { headers: auth }),
    /** Polls until a job comes (each poll waits up to a second). */
    async nextJob(): Promise<PhoneJob> {
      for (;;) {
        const response = await fetch(url('/next?wait=1'), { headers: auth });
        if (response.status === 200) return (await response.json()) as PhoneJob;
        if (response.status !== 204)
          throw new Error(`poll answered ${response.status}: ${await response.text()}`);
      }
    },
    report: (jobId: string, body: unknown) => postJson(`/jobs/${jobId}/result`, body),
    receipt: (jobId: string, kind: string) => postJson(`/jobs/${jobId}/receipt`, { kind }),
    notify: (body: unknown) => postJson('/notifications', body),
    postForm: (path: string, fields: Record<string, string> | URLSearchParams) =>
      fetch(url(path), { method: 'POST', headers: auth, body: new URLSearchParams(fields) }),
    postText: (path: string, text: string) =>
      fetch(url(path), { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: text }),
  };
}

export interface PhoneJob {
  jobId: string;
  messageId: string;
  phone: string;
  text: string;
  link: string;
  waMeLink: string;
  whatsappUri: string;
}

export const phoneTokens = ['token-of-phone-one-3f9a1c', 'token-of-phone-two-77b2e0'] as const;

/** Two phones on a server on a free loopback port, their tokens configured as hashes. */
export function startTwoPhones(options: Partial<AutomationServerOptions> = {}) {
  return startAutomationServer({
    phones: [
      { deviceKey: 'pixel-1', phoneNumber: '79990000001', tokenSha256: tokenSha256(phoneTokens[0]) },
      { deviceKey: 'pixel-2', phoneNumber: '79990000002', tokenSha256: tokenSha256(phoneTokens[1]) },
    ],
    host: '127.0.0.1',
    port: 0,
    ...options,
  });
}

export function sendJob(jobId: string, overrides: Partial<SendJob> = {}): SendJob {
  return {
    jobId,
    messageId: `msg-${jobId}`,
    recipient: '79161234567',
    text: 'Привет & hello?',
    ...overrides,
  };
}
