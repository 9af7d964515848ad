import { MailroomApiError, type PreviewRequest } from '@mailroom/client';
import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  checkTemplateSyntax,
  type TemplateContent,
  TemplateSyntaxError,
} from '../../lambdas/templates/template-rules';
import { useApi, useLoad } from './hooks';

/**
 * The live preview is rendered by the API (`POST /v1/previews`), with the renderer every send uses.
 * Not in the browser: Handlebars compiles a template into a function (`new Function`), which the
 * console's CSP forbids (no `unsafe-eval`). The syntax check does run here, as the API runs it
 * (checkTemplateSyntax only parses), so a template being typed is not sent at every keystroke.
 */
const PREVIEW_DELAY_MS = 300;

/** A syntax problem in `content`, found as the API finds it: its part, line and message. */
export interface SyntaxProblem {
  field: string;
  line?: number;
  message: string;
}

export function syntaxProblem(content: TemplateContent): SyntaxProblem | undefined {
  try {
    checkTemplateSyntax(content);
    return undefined;
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    return {
      field: error.field,
      message: error.detail,
      ...(error.line === undefined ? {} : { line: error.line }),
    };
  }
}

/** Sample data typed as JSON; a problem with it is said, not thrown. */
export function parseSample(text: string): { data: Record<string, unknown> } | { problem: string } {
  const problem = 'Sample data must be a JSON object, e.g. {"first_name": "Ann"}';
  if (text.trim() === '') return { data: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { problem };
    return { data: value as Record<string, unknown> };
  } catch {
    return { problem };
  }
}

/** The sample data field a preview (and a test send) renders with: one recipient's columns, as JSON. */
export function SampleData({
  id,
  value,
  onChange,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <div class="field">
      <label for={id}>Sample data (JSON: one recipient's columns)</label>
      <textarea
        id={id}
        value={value}
        placeholder='{"first_name": "Ann"}'
        style={{ minHeight: '60px' }}
        onInput={(e) => onChange(e.currentTarget.value)}
      />
    </div>
  );
}

/** `value`, once it has stopped changing for `ms`. */
function useSettled<T>(value: T, key: string, ms: number): T {
  const [settled, setSettled] = useState({ value, key });
  useEffect(() => {
    const timer = setTimeout(() => setSettled({ value, key }), ms);
    return () => clearTimeout(timer);
  }, [key]);
  return settled.value;
}

/**
 * The mail as a recipient with `sample` would get it: subject, the HTML in a sandboxed frame (no
 * scripts, no same-origin access; the console's CSP applies inside it too, so remote images and
 * inline styles do not show: a test send shows the real thing), and the text.
 */
export function Preview({ content, sample }: { content: TemplateContent; sample: string }) {
  const api = useApi();
  const parsed = useMemo(() => parseSample(sample), [sample]);
  const syntax = useMemo(() => syntaxProblem(content), [content.subject, content.html, content.text]);
  // What the API is asked to render, once typing pauses; undefined while the input cannot render.
  const ready: PreviewRequest | undefined =
    'data' in parsed &&
    syntax === undefined &&
    content.subject !== '' &&
    (content.html ?? content.text) !== undefined
      ? { ...content, data: parsed.data }
      : undefined;
  const requestKey = ready === undefined ? '' : JSON.stringify(ready);
  const settled = useSettled(ready, requestKey, PREVIEW_DELAY_MS);
  const settledKey = settled === undefined ? '' : JSON.stringify(settled);
  const rendered = useLoad(
    (signal) =>
      settled === undefined ? Promise.resolve(undefined) : api.templates.preview(settled, { signal }),
    settledKey,
  );
  const current = ready !== undefined && settledKey === requestKey && !rendered.loading;
  const problem =
    'problem' in parsed
      ? parsed.problem
      : syntax
        ? `${syntax.field}${syntax.line === undefined ? '' : `, line ${syntax.line}`}: ${syntax.message}`
        : content.subject === '' || (content.html ?? content.text) === undefined
          ? 'Give a subject and HTML or text to preview.'
          : current && rendered.error !== undefined
            ? apiProblem(rendered.error)
            : undefined;
  const shown = rendered.data;
  return (
    <div class="preview" id="preview" aria-live="polite" aria-busy={!current}>
      {problem !== undefined && (
        <p class={'problem' in parsed || syntax || current ? 'error' : 'muted'} id="preview-error">
          {problem}
        </p>
      )}
      {problem === undefined && shown && (
        <>
          <p>
            <strong>Subject:</strong> <span id="preview-subject">{shown.subject}</span>
          </p>
          {shown.html !== undefined && (
            <iframe
              id="preview-html"
              title="HTML preview"
              sandbox=""
              srcdoc={shown.html}
              class="preview-frame"
            />
          )}
          {shown.text !== undefined && <pre id="preview-text">{shown.text}</pre>}
        </>
      )}
    </div>
  );
}

/** What the API said it cannot render (a missing variable, a render limit), in its words. */
function apiProblem(error: unknown): string {
  if (error instanceof MailroomApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
