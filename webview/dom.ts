/** Small DOM builders: the dashboards build their markup with these, never with innerHTML. */
import { formatCount, plural as pluralOf } from '../src/core/charts/format';

type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttributes(el, attributes);
  append(el, children);
  return el;
}

export function setAttributes(el: Element, attributes: Attributes): void {
  for (const [k, v] of Object.entries(attributes)) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
}

export function append(el: Element, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c);
  }
}

/** An empty-state block: an icon-like glyph, a headline and a hint. */
export function emptyState(headline: string, hint?: string): HTMLElement {
  return h('div', { class: 'empty' }, h('div', { class: 'empty-spinner', 'aria-hidden': 'true' }), h('p', { class: 'empty-headline' }, headline), hint ? h('p', { class: 'empty-hint' }, hint) : null);
}

/** A section with a heading, an optional note at the right, and a body. */
export function section(id: string, title: string, note?: string | Node): { root: HTMLElement; body: HTMLElement; note: HTMLElement } {
  const noteEl = h('span', { class: 'section-note' }, note ?? '');
  const body = h('div', { class: 'section-body' });
  const root = h('section', { class: 'section', id }, h('header', { class: 'section-header' }, h('h2', {}, title), noteEl), body);
  return { root, body, note: noteEl };
}

export function badge(text: string, kind: 'error' | 'warning' | 'info' | 'ok' | 'neutral' = 'neutral'): HTMLElement {
  return h('span', { class: `badge badge-${kind}` }, text);
}

/** A stat tile: small caption above a large value, an optional detail line under it. */
export function tile(caption: string, value: string, detail?: string, kind?: 'error' | 'warning' | 'ok'): HTMLElement {
  return h('div', { class: `tile${kind ? ` tile-${kind}` : ''}` }, h('div', { class: 'tile-caption' }, caption), h('div', { class: 'tile-value' }, value), detail ? h('div', { class: 'tile-detail' }, detail) : null);
}

/** Stable, CSS-safe element id for a tag name ("train/loss" -> "tag-train-loss-1a2b"). */
export function idFor(prefix: string, name: string): string {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) | 0;
  return `${prefix}-${name.replace(/[^a-zA-Z0-9_-]+/g, '-')}-${(hash >>> 0).toString(36)}`;
}

/** "1 run", "1,024 steps". */
export function plural(n: number, word: string): string {
  return pluralOf(n, word, formatCount);
}
