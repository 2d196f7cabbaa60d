// The reader's work on a page, kept in this browser only (localStorage; nothing is sent anywhere):
// the cells they edited and the exercises they passed. An edit is stored with a fingerprint of the
// cell's original code, so when a rebuilt book changes that cell, the old edit is not applied to
// the new code. boot.js reads the same keys to show, in the table of contents, each chapter's
// passed exercises.

export const PREFIX = "micrograd-book:live:";

// FNV-1a, 32 bits: enough to tell one version of a cell's code from another.
export function fingerprint(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

export class PageStore {
  constructor(page) {
    this.key = PREFIX + page;
    this.data = { cells: {}, passed: {} };
    try {
      const saved = JSON.parse(localStorage.getItem(this.key) || "null");
      if (saved && saved.cells && saved.passed) this.data = saved;
    } catch (error) { /* storage off or unreadable: start empty */ }
  }

  write() {
    try {
      if (!Object.keys(this.data.cells).length && !Object.keys(this.data.passed).length) {
        localStorage.removeItem(this.key);
      } else localStorage.setItem(this.key, JSON.stringify(this.data));
    } catch (error) { /* private mode, quota: the page still works, it just forgets */ }
  }

  // The reader's code for a cell, if they edited this version of it; else null.
  edited(cell) {
    const saved = this.data.cells[cell.index];
    return saved && saved.original === fingerprint(cell.source) ? saved.code : null;
  }

  saveEdit(cell, code) {
    if (code === cell.source.replace(/\s+$/, "")) delete this.data.cells[cell.index];
    else this.data.cells[cell.index] = { original: fingerprint(cell.source), code };
    this.write();
  }

  clearEdit(cell) {
    delete this.data.cells[cell.index];
    this.write();
  }

  pass(exercise) {
    this.data.passed[exercise] = true;
    this.write();
  }

  clear() {
    this.data = { cells: {}, passed: {} };
    this.write();
  }
}
