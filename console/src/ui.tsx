import { MailroomApiError } from '@mailroom/client';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** The page's heading, focused when the page opens so keyboard and screen reader users start there. */
export function Title({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}

/** What went wrong, as the API said it (code and message), or the error's message. */
export function ErrorBox({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  const text =
    error instanceof MailroomApiError
      ? `${error.message} (${error.code}, HTTP ${error.status})`
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

/**
 * The recipients an edit's new content does not render for (422 unrenderable_for_recipients), each
 * with its reason.
 */
export function FailureList({ error }: { error: unknown }) {
  if (!(error instanceof MailroomApiError) || error.code !== 'unrenderable_for_recipients') return null;
  const failures = (error.details as { failures?: { email: string; reason: string }[] } | undefined)
    ?.failures;
  if (!failures?.length) return null;
  return (
    <ul id="unrenderable-recipients">
      {failures.map((failure) => (
        <li key={failure.email}>
          {failure.email}: {failure.reason}
        </li>
      ))}
    </ul>
  );
}

export function Badge({ value }: { value: string }) {
  return <span class={`badge ${value}`}>{value}</span>;
}

export function Card({
  label,
  value,
  note,
}: {
  label: string;
  value: ComponentChildren;
  note?: ComponentChildren;
}) {
  return (
    <div class="card">
      <div class="label">{label}</div>
      <div class="value">{value}</div>
      {note === undefined ? null : <div class="note">{note}</div>}
    </div>
  );
}

/** A bar for a share in [0, 1], with its text for screen readers. */
export function Meter({ share, label }: { share: number; label: string }) {
  const width = `${Math.min(100, Math.max(0, share * 100)).toFixed(1)}%`;
  return (
    <div class="meter" role="img" aria-label={`${label}: ${width}`}>
      <span style={{ width }} />
    </div>
  );
}

/** A table that scrolls sideways on a narrow screen, with its column headings. */
export function DataTable({
  id,
  caption,
  columns,
  children,
}: {
  id?: string;
  caption?: string;
  columns: readonly ComponentChildren[];
  children: ComponentChildren;
}) {
  return (
    <div class="table-wrap">
      <table id={id}>
        {caption !== undefined && <caption class="muted">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((column, i) => (
              // Headings are fixed per table: their position is their identity.
              <th scope="col" key={i}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
