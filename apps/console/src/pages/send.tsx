import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiFailure, api, call } from '../api';
import { go } from '../router';
import { Field, FormError } from '../ui/form';

const fields = ['from', 'to', 'text', 'callbackUrl'];

/**
 * Sends one message through Devino's send call, as an integration would. A message the API
 * rejects shows each reason next to its field (`messages[0].to` → the "To" field).
 */
export function SendPage() {
  const [draft, setDraft] = useState({ from: 'MyCompany', to: '', text: '', callbackUrl: '' });
  const send = useMutation({
    mutationFn: async () => {
      const { callbackUrl, ...message } = draft;
      const { result } = await call(
        api.POST('/whatsapp/messages', {
          body: {
            messages: [{ ...message, ...(callbackUrl.trim() ? { callbackUrl: callbackUrl.trim() } : {}) }],
          },
        }),
      );
      const first = result[0]!;
      if (first.code !== 'OK') {
        throw new ApiFailure(200, {
          code: 'REJECTED',
          reasons: first.reasons,
          description: first.description,
        });
      }
      return first.messageId;
    },
    onSuccess: (messageId) => go('messages', messageId),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate();
  };
  const input = (name: keyof typeof draft) => (id: string, describedBy: string | undefined) => (
    <input
      id={id}
      name={name}
      value={draft[name]}
      aria-describedby={describedBy}
      aria-invalid={describedBy ? true : undefined}
      onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
    />
  );
  return (
    <>
      <h1>Send a test message</h1>
      <form onSubmit={submit} aria-label="Send a message">
        <Field label="From (sender)" name="from" error={send.error}>
          {input('from')}
        </Field>
        <Field label="To (phone number)" name="to" error={send.error}>
          {input('to')}
        </Field>
        <Field label="Text" name="text" error={send.error}>
          {(id, describedBy) => (
            <textarea
              id={id}
              name="text"
              rows={3}
              value={draft.text}
              aria-describedby={describedBy}
              onChange={(event) => setDraft({ ...draft, text: event.target.value })}
            />
          )}
        </Field>
        <Field label="Status callback URL (optional)" name="callbackUrl" error={send.error}>
          {input('callbackUrl')}
        </Field>
        <FormError error={send.error} fields={fields} />
        <button type="submit" disabled={send.isPending}>
          Send
        </button>
      </form>
    </>
  );
}
