// The code editor of the live cells: CodeMirror 6 with Python, bundled by esbuild (see
// tools/book_live.py) into _static/live/editor.js, which defines window.LiveEditor.
import { EditorView, minimalSetup } from "codemirror";
import { keymap, ViewPlugin, Decoration } from "@codemirror/view";
import { Prec, RangeSetBuilder } from "@codemirror/state";
import { indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { syntaxHighlighting, indentOnInput, bracketMatching } from "@codemirror/language";
import { closeBrackets } from "@codemirror/autocomplete";
import { classHighlighter } from "@lezer/highlight";

// A wrapped line continues under its own indentation plus four columns (a hanging indent), never
// at column 0, where it would read as a dedented line of Python (phones wrap long lines).
const HANG = 4;
function hangingIndents(view) {
  const builder = new RangeSetBuilder();
  for (const { from, to } of view.visibleRanges) {
    for (let pos = from; pos <= to;) {
      const line = view.state.doc.lineAt(pos);
      const indent = /^[ \t]*/.exec(line.text)[0].replace(/\t/g, "    ").length;
      const width = indent + HANG;
      builder.add(line.from, line.from, Decoration.line({
        attributes: { style: `padding-left: calc(6px + ${width}ch); text-indent: -${width}ch` },
      }));
      pos = line.to + 1;
    }
  }
  return builder.finish();
}
const hangingIndent = ViewPlugin.fromClass(class {
  constructor(view) { this.decorations = hangingIndents(view); }
  update(u) { if (u.docChanged || u.viewportChanged) this.decorations = hangingIndents(u.view); }
}, { decorations: (v) => v.decorations });

// parent: the element to fill; doc: the code; onRun: Shift+Enter; label: the editor's accessible
// name; describedBy: the id of the text that says how to run a cell and leave the editor;
// onChange: called after every edit.
function create(parent, doc, { onRun, label, describedBy, onChange }) {
  const view = new EditorView({
    doc,
    parent,
    extensions: [
      minimalSetup,
      python(),
      indentOnInput(),
      bracketMatching(),
      closeBrackets(),
      syntaxHighlighting(classHighlighter),
      Prec.highest(keymap.of([{ key: "Shift-Enter", run: () => { onRun(); return true; } }])),
      keymap.of([indentWithTab]),
      EditorView.lineWrapping,
      hangingIndent,
      EditorView.updateListener.of((update) => { if (update.docChanged && onChange) onChange(); }),
      EditorView.contentAttributes.of(describedBy ? { "aria-label": label, "aria-describedby": describedBy }
        : { "aria-label": label }),
    ],
  });
  return {
    view,
    getCode: () => view.state.doc.toString(),
    setCode: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    focus: () => view.focus(),
  };
}

window.LiveEditor = { create };
