// Opens CanRisk files in the CanRisk pedigree editor, from a checkout of CCGE-BOADICEA/pedigreejs
// (GPL-3.0; its ES modules are imported from where they lie, nothing is copied), in a jsdom page.
//
// For each file it does what the editor does when a user loads a file (`io.load_data`: read the
// CanRisk file, the editor's CanRisk checks, pedigree validation, then the tree is built and drawn
// by `pedigree.build`), collects every message the editor would show, and writes the loaded
// pedigree back with the editor's own writer (`canrisk_file.get_pedigree`, format 4) to list every
// field that changed on the way in.
//
// Usage: node --import ./register.mjs pedigreejs-check.mjs PEDIGREEJS_DIR FILE... > results.json
// Prints a JSON list: {"file", "accepted", "drawn", "people", "messages", "console",
// "risk_factors", "differences"}.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { JSDOM } from 'jsdom';

const [pjsDir, ...files] = process.argv.slice(2);
if (!pjsDir || files.length === 0) {
  console.error('usage: node --import ./register.mjs pedigreejs-check.mjs PEDIGREEJS_DIR FILE...');
  process.exit(2);
}

const dom = new JSDOM(
  '<!DOCTYPE html><html><body><div id="pedigree_btns"></div><div id="pedigree_edit"></div></body></html>',
  { url: 'http://localhost/canrisk/', pretendToBeVisual: true },
);
for (const k of ['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'Node',
  'HTMLElement', 'SVGElement', 'Element', 'getComputedStyle', 'FileReader', 'Blob']) {
  if (!(k in globalThis) || globalThis[k] === undefined) {
    globalThis[k] = k === 'window' ? dom.window : dom.window[k];
  }
}
globalThis.window = dom.window;
globalThis.document = dom.window.document;

// jsdom does not lay out SVG: give text and groups a size so that the editor's zoom and label
// code can run.
dom.window.SVGElement.prototype.getBBox = function getBBox() {
  return { x: 0, y: 0, width: 10, height: 10 };
};
dom.window.SVGElement.prototype.getComputedTextLength = function getComputedTextLength() {
  return 10;
};
// d3-zoom reads the <svg>'s width and height as SVG lengths, which jsdom does not implement.
for (const dim of ['width', 'height']) {
  if (!(dim in dom.window.SVGSVGElement.prototype)) {
    Object.defineProperty(dom.window.SVGSVGElement.prototype, dim, {
      get() {
        return { baseVal: { value: Number(this.getAttribute(dim)) || 0 } };
      },
    });
  }
}

const require = createRequire(import.meta.url);
const jQuery = require('jquery');
globalThis.jQuery = jQuery;
globalThis.$ = jQuery;

// The editor shows its messages in jQuery UI dialogs (not loaded here): collect them instead.
let shown = [];
jQuery.fn.dialog = function dialog(options) {
  shown.push({ title: (options && options.title) || '', text: this.text() });
  return this;
};

const mod = (name) => import(pathToFileURL(path.join(pjsDir, 'es', name)).href);
const io = await mod('io.js');
await mod('pedigree.js'); // registers the 'rebuild' handler that draws a loaded file
const canrisk = await mod('canrisk_file.js');

// Tab-separated rows keyed by IndivID, and the ##key=value lines, of a CanRisk file.
function parse(text) {
  const rows = new Map();
  const factors = [];
  let header = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('##FamID')) {
      header = line.replace('##', '').split('\t');
    } else if (line.startsWith('##')) {
      if (line.includes('=')) factors.push(line.slice(2));
    } else if (header) {
      const cols = line.split('\t');
      rows.set(cols[3], Object.fromEntries(header.map((h, i) => [h, cols[i]])));
    }
  }
  return { rows, factors };
}

const results = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  shown = [];
  const logged = [];
  const saved = { log: console.log, warn: console.warn, error: console.error };
  console.log = () => {};
  console.warn = (...a) => logged.push('warn: ' + a.map(String).join(' '));
  console.error = (...a) => logged.push('error: ' + a.map(String).join(' ').slice(0, 300));
  jQuery('#pedigree_edit').empty();
  const opts = {
    targetDiv: 'pedigree_edit',
    btn_target: 'pedigree_btns',
    width: 900,
    height: 600,
    symbol_size: 30,
    store_type: 'array',
    validate: true,
    DEBUG: false,
  };
  let crash = null;
  try {
    io.load_data(text, opts);
  } catch (e) {
    crash = `${e && e.name}: ${e && e.message}`;
  }

  const entry = { file: path.basename(file) };
  const fileErrors = shown.filter((m) => /error/i.test(m.title));
  entry.drawn = document.querySelector('#pedigree_edit svg') !== null;
  entry.messages = shown.map((m) => `${m.title}: ${m.text}`);
  if (crash) entry.messages.push(`crash: ${crash}`);
  entry.accepted = !crash && fileErrors.length === 0 && entry.drawn && Array.isArray(opts.dataset);

  // What the editor read, written back by the editor, against what we wrote.
  const ours = parse(text);
  entry.risk_factors = canrisk.readCanRisk(text)[0];
  entry.differences = [];
  if (Array.isArray(opts.dataset)) {
    const famid = [...ours.rows.values()][0]?.FamID;
    const back = parse(canrisk.get_pedigree(opts.dataset, famid, undefined, false, 4));
    entry.people = back.rows.size;
    for (const [id, row] of ours.rows) {
      const other = back.rows.get(id);
      if (!other) {
        entry.differences.push(`${id}: missing after loading`);
        continue;
      }
      for (const [col, v] of Object.entries(row)) {
        if (other[col] !== v) entry.differences.push(`${id} ${col}: ${v} -> ${other[col]}`);
      }
    }
    for (const id of back.rows.keys()) {
      if (!ours.rows.has(id)) entry.differences.push(`${id}: added by the editor`);
    }
    const theirs = entry.risk_factors.filter((f) => f.includes('='));
    if (JSON.stringify(theirs) !== JSON.stringify(ours.factors)) {
      entry.differences.push(`risk factors read as ${JSON.stringify(theirs)}`);
    }
  }
  Object.assign(console, saved);
  entry.console = logged.filter(
    (l) => !l.startsWith('warn: individuals unconnected') && !l.includes('Local storage not found'),
  );
  results.push(entry);
}
process.stdout.write(JSON.stringify(results, null, 1) + '\n');
