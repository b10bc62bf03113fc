/** The dashboards' controls, built from @vscode-elements components (plus a native range input). */
import './elements';
import { h } from './dom';

/** `accessibleName` names a checkbox whose visible label sits elsewhere (a run chip's name). */
export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void, accessibleName?: string): HTMLElement {
  const name = accessibleName ?? label;
  const el = h('vscode-checkbox', { label, checked, ...(name ? { 'aria-label': name } : {}) });
  el.addEventListener('change', () => onChange(el.checked));
  return el;
}

export function select<T extends string>(
  label: string,
  options: readonly { value: T; label: string }[],
  value: T,
  onChange: (value: T) => void,
): HTMLElement {
  const el = h('vscode-single-select', { 'aria-label': label });
  for (const o of options) el.append(h('vscode-option', { value: o.value, selected: o.value === value }, o.label));
  el.addEventListener('change', () => onChange(el.value as T));
  return h('label', { class: 'control' }, h('span', { class: 'control-label' }, label), el);
}

export function textfield(placeholder: string, value: string, onInput: (value: string) => void): HTMLElement {
  const el = h('vscode-textfield', { placeholder, value, 'aria-label': placeholder });
  el.addEventListener('input', () => onInput(el.value));
  return el;
}

/** A labelled slider that shows its value; `onInput` fires while dragging. */
export function slider(label: string, value: number, min: number, max: number, step: number, onInput: (value: number) => void): HTMLElement {
  const input = h('input', { type: 'range', min, max, step, value, 'aria-label': label, class: 'slider' });
  const shown = h('span', { class: 'control-value' }, value.toFixed(2));
  input.addEventListener('input', () => {
    const v = Number(input.value);
    shown.textContent = v.toFixed(2);
    onInput(v);
  });
  return h('label', { class: 'control' }, h('span', { class: 'control-label' }, label), input, shown);
}
