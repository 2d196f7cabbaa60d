// The code editor of the live cells: CodeMirror 6 with Python, bundled by esbuild (see
// tools/book_live.py) into _static/live/editor.js, which defines window.LiveEditor.
import { EditorView, minimalSetup } from "codemirror";
import { keymap } from "@codemirror/view";
import { Prec } from "@codemirror/state";
import { indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { syntaxHighlighting, indentOnInput, bracketMatching } from "@codemirror/language";
import { closeBrackets } from "@codemirror/autocomplete";
import { classHighlighter } from "@lezer/highlight";

// parent: the element to fill; doc: the code; onRun: Shift+Enter; label: the editor's accessible name.
function create(parent, doc, { onRun, label }) {
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
      EditorView.contentAttributes.of({ "aria-label": label }),
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
