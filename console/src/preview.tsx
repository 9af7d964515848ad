import { MailroomApiError, type PreviewRequest } from '@mailroom/client';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
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
 * The mail as a recipient with `sample` would get it: subject, the HTML as a mail client shows it
 * (MailHtml), and the text.
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
          {shown.html !== undefined && <MailHtml html={shown.html} />}
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

/**
 * Rendered mail HTML, styled as a mail client shows it, inside the console's strict CSP (no inline
 * styles, no scripts, images only from the console itself):
 * - parsed inert (DOMParser runs nothing), with what a mail client would not run or load taken out:
 *   scripts, frames, objects, forms, links to stylesheets, event handler attributes and
 *   `javascript:` URLs (the CSP would block them anyway; removed, they are not even tried);
 * - its `style` attributes applied through CSSOM (`element.style.cssText`) and its `<style>`
 *   elements as constructed stylesheets: the CSP governs style attributes and elements written as
 *   markup, not styles set from the page's own script, so the policy stays as strict as it is;
 * - in a shadow root, so the mail's CSS cannot reach the console and the console's cannot reach the
 *   mail (its `body`/`html` rules apply to the mail's body);
 * - remote images are not fetched (the CSP allows none, and a preview should not tell a tracker it
 *   was opened): each shows as a box of its size with its alt text, and links do not navigate.
 */
export function MailHtml({ html }: { html: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    renderMail(element.shadowRoot ?? element.attachShadow({ mode: 'open' }), html);
  }, [html]);
  return <div id="preview-html" class="preview-mail" ref={host} role="document" aria-label="HTML preview" />;
}

const UNSAFE_ELEMENTS =
  'script, iframe, frame, frameset, object, embed, applet, link, meta, base, form, noscript, template, dialog';
/** Attributes that load something; kept only on a link (`a`, `area`: href) or as a `data:` image. */
const LOADING_ATTRIBUTES = new Set([
  'src',
  'srcset',
  'lowsrc',
  'dynsrc',
  'poster',
  'background',
  'data',
  'href',
  'xlink:href',
]);
/** Attributes that reach the browser's top layer or run commands. */
const TOP_LAYER_ATTRIBUTES = new Set([
  'popover',
  'popovertarget',
  'popovertargetaction',
  'command',
  'commandfor',
  'autofocus',
]);
// biome-ignore lint/suspicious/noControlCharactersInRegex: URL parsers drop leading C0 controls, so `\x01javascript:` is still a script URL
const SCRIPT_URL = /^[\s\x00-\x1f]*(javascript|vbscript):|^\s*data:text\/html/i;
const DATA_IMAGE = /^\s*data:image\//i;
const STYLE_ELEMENT = /<style\b[^>]*>([\s\S]*?)(?:<\/style[^>]*>|$)/gi;
/** A start tag, its quoted attribute values whole (they may hold `>`); never crosses a `<`. */
const TAG = /<[a-zA-Z][^\s/<>]*(?:[^<>"']|"[^"]*"|'[^']*')*>/g;
/** In a start tag: a quoted value (left as it is), or a `style` attribute's name. */
const STYLE_ATTRIBUTE = /"[^"]*"|'[^']*'|(?<=[\s/"'])style(?=\s*=)/gi;
/** A `url(…)` that is not a `data:` one, in a CSS value. */
const REMOTE_CSS_URL = /(url|image-set|image)\(\s*(?!["']?\s*data:)/i;
/** Stands in for a remote image: a dashed box of its size. */
/** Defaults the mail's own rules override (no weight: `:where`, and adopted first). */
const MAIL_FRAME_CSS = `:where(.mail-body){font-family:Arial,Helvetica,sans-serif;color:#222;background:#fff;padding:8px;min-height:100%}
:where(.remote-image){display:inline-block;outline:1px dashed #99a;min-width:16px;min-height:16px}`;

/**
 * Renders mail HTML into `root` (see MailHtml). The mail may be pasted from anywhere, so nothing
 * in it may run, load from elsewhere, or reach outside the preview: the host's `contain: strict`
 * (console/app.css) makes it the containing block of the mail's fixed boxes, and `:host` rules,
 * the only ones that could restyle it, are dropped.
 */
export function renderMail(root: ShadowRoot, html: string): void {
  // The parser must never see a style element or attribute: Chrome checks the CSP as it parses,
  // even into an inert document, and reports each one. Style elements are taken out of the text
  // first (their CSS kept, `<!-- -->` wrappers and all) and style attributes renamed.
  const css: string[] = [];
  const markup = html
    .replace(STYLE_ELEMENT, (_, text: string) => {
      css.push(text.replace(/<!--|-->/g, ''));
      return '';
    })
    .replace(TAG, (tag) =>
      tag.replace(STYLE_ATTRIBUTE, (token) => (/^["']/.test(token) ? token : 'data-mail-style')),
    );
  const parsed = new DOMParser().parseFromString(markup, 'text/html');
  for (const unsafe of parsed.querySelectorAll(UNSAFE_ELEMENTS)) unsafe.remove();
  for (const element of [parsed.body, ...parsed.body.querySelectorAll<HTMLElement>('*')])
    cleanElement(element);
  const sheets = css.map((text) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    cleanRules(sheet.cssRules, (index) => sheet.deleteRule(index));
    return sheet;
  });
  const body = document.createElement('div');
  body.className = 'mail-body';
  for (const name of parsed.body.classList) body.classList.add(name);
  if (parsed.body.id) body.id = parsed.body.id;
  const bgcolor = parsed.body.getAttribute('bgcolor');
  if (bgcolor !== null) body.style.background = bgcolor;
  body.style.cssText += parsed.body.style.cssText;
  body.append(...parsed.body.childNodes);
  const frame = new CSSStyleSheet();
  frame.replaceSync(MAIL_FRAME_CSS);
  root.adoptedStyleSheets = [frame, ...sheets];
  root.replaceChildren(body);
  root.addEventListener('click', preventNavigation);
  root.addEventListener('auxclick', preventNavigation);
}

/** One element made safe to show: handlers, loads and top-layer attributes out, its style applied. */
function cleanElement(element: HTMLElement): void {
  const link = element.tagName === 'A' || element.tagName === 'AREA';
  for (const attribute of [...element.attributes]) {
    const name = attribute.name.toLowerCase();
    const value = attribute.value.replace(/[\t\n\r]/g, '');
    if (name.startsWith('on') || name === 'srcdoc' || TOP_LAYER_ATTRIBUTES.has(name)) {
      element.removeAttribute(attribute.name);
    } else if (LOADING_ATTRIBUTES.has(name)) {
      const kept = link
        ? name === 'href' && !SCRIPT_URL.test(value)
        : name === 'src' && DATA_IMAGE.test(value);
      if (kept) continue;
      element.removeAttribute(attribute.name);
      if (!link && (name === 'src' || name === 'poster' || name === 'background')) {
        element.setAttribute('data-remote-src', attribute.value);
        element.classList.add('remote-image');
      }
    }
  }
  const style = element.getAttribute('data-mail-style');
  if (style === null) return;
  element.removeAttribute('data-mail-style');
  // Through CSSOM, which the CSP does not govern; nothing is fetched before the next rendering,
  // and remote URLs are out by then.
  element.style.cssText = style;
  cleanDeclarations(element.style);
}

/** A sheet's rules made safe: `:host` rules and remote fonts out, remote URLs out, body rules scoped. */
function cleanRules(rules: CSSRuleList, remove: (index: number) => void): void {
  for (let index = rules.length - 1; index >= 0; index--) {
    const rule = rules[index];
    if (rule instanceof CSSStyleRule) {
      if (/:host/i.test(rule.selectorText)) {
        remove(index);
        continue;
      }
      rule.selectorText = bodySelectorsScoped(rule.selectorText);
      cleanDeclarations(rule.style);
    } else if (rule instanceof CSSGroupingRule) {
      const group = rule;
      cleanRules(group.cssRules, (inner) => group.deleteRule(inner));
    } else {
      // @font-face (remote fonts), @import (ignored by replaceSync anyway), @keyframes…: not needed to preview.
      remove(index);
    }
  }
}

function cleanDeclarations(style: CSSStyleDeclaration): void {
  for (const property of [...style]) {
    if (REMOTE_CSS_URL.test(style.getPropertyValue(property))) style.removeProperty(property);
  }
}

function preventNavigation(event: Event): void {
  if ((event.target as Element | null)?.closest?.('a, area')) event.preventDefault();
}

/**
 * A mail's `html` and `body` selectors, made to select its body in the shadow root, with no more
 * weight than a type selector has (`:where`), so `body p` does not now outweigh `.intro`.
 */
function bodySelectorsScoped(selectors: string): string {
  return selectors
    .replace(/\bhtml\s+body\b/gi, 'body')
    .replace(/(^|[\s,>+~(])(?:html|body)(?=$|[\s,.:#[>+~)])/gi, '$1:where(.mail-body)');
}
