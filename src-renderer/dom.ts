// A tiny element builder. Text always goes in as text nodes, never as HTML, so
// an account name can never inject markup.

type Child = Node | string | null | undefined | false;
type Props = Record<string, string | boolean | number | ((event: Event) => void) | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, '').toLowerCase(), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

/**
 * Replaces `parent`'s children, and gives focus back to the new element with the
 * same `data-focus` key when focus was inside: a list redrawn by a sync arriving
 * must not throw a keyboard user back to the top of the page.
 */
export function replaceKeepingFocus(parent: Element, ...children: Child[]): void {
  const focused = document.activeElement;
  const key = focused instanceof HTMLElement && parent.contains(focused) ? focused.dataset['focus'] : undefined;
  replaceChildren(parent, ...children);
  if (key !== undefined) focusByKey(parent, key);
}

/** Focuses the element under `root` whose `data-focus` is `key`; false when there is none. */
export function focusByKey(root: ParentNode, key: string): boolean {
  const target = [...root.querySelectorAll<HTMLElement>('[data-focus]')].find((el) => el.dataset['focus'] === key);
  target?.focus();
  return target !== undefined;
}

/** Text that is read out with its button but not shown: "Rename" shows, "Rename alice" is announced. */
export function unseen(text: string): HTMLSpanElement {
  return h('span', { class: 'visually-hidden' }, text);
}

/** Sets an element's text only when it differs, so a live region speaks for a change and not for every redraw. */
export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
