// The window's sections (connect, accounts, settings, activity) as tabs, after
// the WAI-ARIA tabs pattern: one tab in the Tab order (the selected one), the
// arrow keys, Home and End move between tabs and show each at once, and Tab then
// goes into the section shown.

export type Section = 'connect' | 'accounts' | 'settings' | 'activity';

export class Tabs {
  private readonly tabs: HTMLButtonElement[];
  private selected: Section = 'connect';

  constructor(private readonly list: HTMLElement) {
    this.tabs = [...list.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
    for (const tab of this.tabs) tab.addEventListener('click', () => this.select(sectionOf(tab)));
    list.addEventListener('keydown', (event) => this.onKey(event));
  }

  /** The selected section's tab, the one in the Tab order. */
  selectedTab(): HTMLButtonElement | undefined {
    return this.tabs.find((tab) => sectionOf(tab) === this.selected);
  }

  /** Shows a section; with `focus`, its tab takes the keyboard focus too. */
  select(section: Section, focus = false): void {
    this.selected = section;
    for (const tab of this.tabs) {
      const on = sectionOf(tab) === section;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      panelOf(tab).hidden = !on || this.list.hidden;
      if (on && focus) tab.focus();
    }
  }

  /** Hidden at first run, when the window is one form; the panels hide with the tabs. */
  setShown(shown: boolean): void {
    this.list.hidden = !shown;
    this.select(this.selected);
  }

  private onKey(event: KeyboardEvent): void {
    const at = this.tabs.findIndex((tab) => tab === document.activeElement);
    if (at < 0) return;
    const last = this.tabs.length - 1;
    const next: Readonly<Record<string, number>> = {
      ArrowRight: at === last ? 0 : at + 1,
      ArrowLeft: at === 0 ? last : at - 1,
      Home: 0,
      End: last,
    };
    const to = next[event.key];
    if (to === undefined) return;
    event.preventDefault();
    this.select(sectionOf(this.tabs[to]!), true);
  }
}

function sectionOf(tab: HTMLElement): Section {
  return tab.id.replace(/^tab-/, '') as Section;
}

function panelOf(tab: HTMLElement): HTMLElement {
  const panel = document.getElementById(tab.getAttribute('aria-controls') ?? '');
  if (!panel) throw new Error(`missing panel of #${tab.id}`);
  return panel;
}
