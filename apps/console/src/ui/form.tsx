import type { ReactNode } from 'react';
import { fieldError, formError } from '../api';

let nextId = 0;
const fieldIds = new Map<string, string>();
function idFor(label: string): string {
  let id = fieldIds.get(label);
  if (!id) {
    id = `f${nextId++}`;
    fieldIds.set(label, id);
  }
  return id;
}

/** A labelled input with the API's error for its field (by `ref`) right under it. */
export function Field(props: {
  label: string;
  name: string;
  error?: unknown;
  children: (id: string, describedBy: string | undefined) => ReactNode;
}) {
  const id = idFor(`${props.label}:${props.name}`);
  const message = fieldError(props.error, props.name);
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, message ? `${id}-error` : undefined)}
      {message && (
        <p className="field-error" id={`${id}-error`} role="alert" data-field={props.name}>
          {message}
        </p>
      )}
    </div>
  );
}

/** The error of a form that names no field (or any other failure). */
export function FormError({ error, fields = [] }: { error: unknown; fields?: string[] }) {
  const message = formError(error, fields);
  return message ? (
    <p className="form-error" role="alert">
      {message}
    </p>
  ) : null;
}

export function Loading({ what }: { what: string }) {
  return <p className="muted">Loading {what}…</p>;
}
