// The admin page of `roster serve`: plain DOM calls, no framework, no build step. Every request
// goes to this server; the session cookie authenticates it, and each POST carries the page's
// CSRF token. Text from the server goes in with textContent, except the preview, which the
// server renders (and escapes) as HTML. The page never downloads the member list to show it:
// counts and search are server-side reads.
"use strict";

const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
const csrf = meta("roster-csrf");
const canImport = meta("roster-scope") === "sync";
const $ = (id) => document.getElementById(id);
const STATUSES = ["ACTIVE", "INVITED", "PROVISIONED", "INACTIVE", "BANNED"];
const STAGES = ["parse", "validate", "plan", "apply"];
// The outcome's statistics, in words a person uses.
const STATS = [
  ["created", "created"], ["updated", "updated"], ["reactivated", "reactivated"],
  ["deactivated", "deactivated"], ["unchanged", "unchanged"], ["teams_created", "teams created"],
  ["protected_skipped", "protected rows skipped"], ["banned_skipped", "banned rows skipped"],
  ["errors", "row errors"],
];
const IMPORTS_PAGE = 10;
let previewed = null; // { file, opts, planId, counts }
let nextImports = null; // the Link header's next page of past imports
let nextSearch = null; // the Link header's next page of the search

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

const number = (n) => Number(n || 0).toLocaleString("en");

async function request(path, options) {
  const opts = Object.assign({ credentials: "same-origin" }, options || {});
  opts.headers = Object.assign({}, opts.headers || {});
  if (opts.method === "POST") opts.headers["X-CSRF-Token"] = csrf;
  const response = await fetch(path, opts);
  if (response.status === 401) { window.location.assign("/"); throw new Error("signed out"); }
  return response;
}

// The server's own words for a failed request (problem+json's detail), else the status.
async function problem(response) {
  try { const p = await response.json(); return p.detail || p.title || response.statusText; }
  catch (_) { return `${response.status} ${response.statusText}`; }
}

// A read that shows the server's message and a Retry instead of an empty view when it fails.
async function read(path, errorBox, retry) {
  const box = $(errorBox);
  let response;
  try {
    response = await request(path, { headers: { Accept: "application/json" } });
  } catch (e) {
    showReadError(box, `The server did not answer (${e.message}).`, retry);
    return null;
  }
  if (!response.ok) { showReadError(box, await problem(response), retry); return null; }
  box.hidden = true;
  return { body: await response.json(), next: nextLink(response) };
}

function showReadError(box, message, retry) {
  box.querySelector("p").textContent = message;
  box.querySelector(".retry").onclick = () => { box.hidden = true; retry(); };
  box.hidden = false;
}

function nextLink(response) {
  const link = response.headers.get("Link") || "";
  const m = link.match(/<([^>]+)>;\s*rel="next"/);
  return m ? m[1] : null;
}

// ---- current members ----
async function loadCounts() {
  const got = await read("/v1/members/counts", "members-error", loadCounts);
  const counts = $("status-counts");
  if (!got) { counts.hidden = true; $("members-total").textContent = ""; return; }
  const { total, by_status: by } = got.body;
  $("members-total").textContent = `${number(total)} members`;
  $("members-total").dataset.count = total;
  counts.replaceChildren(...STATUSES.map((s) => {
    const li = el("li", null, { "data-status": s, "data-count": by[s] || 0 });
    li.append(el("span", number(by[s]), { class: "n" }), ` ${s.toLowerCase()}`);
    return li;
  }));
  counts.hidden = false;
}

async function download(path, accept, name) {
  const response = await request(path, { headers: { Accept: accept } });
  if (!response.ok) { banner("failed", `The download failed: ${await problem(response)}`); return; }
  const url = URL.createObjectURL(await response.blob());
  const a = el("a", null, { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function memberItem(m) {
  const li = el("li", null, { "data-member": m.email || m.external_id || m.phone || "" });
  const line = el("div", null, { class: "line1" });
  const id = m.email || m.external_id || m.phone || "";
  line.append(el("span", id, { class: "email", title: id }), el("span", statusWord(m.status), { class: `badge ${m.status}` }));
  const name = m.name || [m.first_name, m.last_name].filter(Boolean).join(" ");
  const teams = (m.teams || []).map((t) => `${t.team} (${t.team_role})`).join(", ");
  const sub = [name, m.organization_role, m.external_id && m.external_id !== id ? `id ${m.external_id}` : "", teams]
    .filter(Boolean).join(" · ");
  li.append(line, el("div", sub, { class: "sub" }));
  return li;
}

const statusWord = (s) => s.charAt(0) + s.slice(1).toLowerCase();

async function search(event, more) {
  if (event) event.preventDefault();
  const q = $("q").value.trim();
  if (!q) return;
  const path = more && nextSearch ? nextSearch : `/v1/members/search?q=${encodeURIComponent(q)}&limit=20`;
  const got = await read(path, "search-error", () => search(null, more));
  if (!got) return;
  const list = $("search-results");
  const items = got.body.map(memberItem);
  if (more) list.append(...items); else list.replaceChildren(...items);
  nextSearch = got.next;
  $("search-more").hidden = !nextSearch;
  const shown = list.children.length;
  $("search-summary").hidden = false;
  $("search-summary").textContent = shown === 0
    ? `No member matches “${q}”.`
    : `${shown}${nextSearch ? "+" : ""} ${shown === 1 ? "member matches" : "members match"} “${q}”.`;
  if (more && items.length) { items[0].tabIndex = -1; items[0].focus(); }
}

// ---- past imports ----
function importStats(summary) {
  const keys = ["created", "updated", "reactivated", "deactivated", "unchanged"];
  return keys.map((k) => `${number(summary[k])} ${k}`).join(" · ");
}

function importItem(i) {
  const li = el("li", null, { "data-import": i.id, "data-status": i.status });
  const line = el("div", null, { class: "line1" });
  line.append(el("strong", i.file_name.split("/").pop(), { class: "ident", title: i.file_name }),
    el("span", statusWord(i.status), { class: `badge ${i.status}` }));
  const when = (i.started_at || "").replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC");
  li.append(line, el("div", `#${i.id} · ${i.operator} · ${when} · ${i.mode.replace("_", " ")}`, { class: "sub" }));
  const s = i.summary || {};
  if (i.status === "COMPLETED") {
    li.append(el("div", importStats(s), { class: "stats" }));
  } else if (i.status !== "RUNNING") {
    // A failed import changed nothing: its planned counts are not shown as if they happened.
    li.append(el("p", i.message || "It changed nothing.", { class: "cause" }));
  }
  const links = el("div", null, { class: "links" });
  if (s.errors > 0) {
    links.append(el("a", `Errors CSV (${number(s.errors)} row errors)`, {
      href: `/v1/imports/${i.id}/errors`, download: `import-${i.id}-errors.csv`, "data-errors": i.id,
    }));
  }
  links.append(el("a", "Original file", { href: `/v1/imports/${i.id}/original`, download: i.file_name.split("/").pop() }));
  li.append(links);
  return li;
}

async function loadImports(more) {
  const path = more && nextImports ? nextImports : `/v1/imports?limit=${IMPORTS_PAGE}`;
  const got = await read(path, "imports-error", () => loadImports(more));
  const list = $("imports-list");
  if (!got) { if (!more) list.replaceChildren(); $("imports-more").hidden = true; return; }
  const items = got.body.map(importItem);
  if (more) list.append(...items); else list.replaceChildren(...items);
  nextImports = got.next;
  $("imports-more").hidden = !nextImports;
  $("imports-empty").hidden = list.children.length > 0;
  if (more && items.length) { items[0].tabIndex = -1; items[0].focus(); }
}

// ---- upload, preview, confirm ----
function options() {
  return {
    full_sync: $("full-sync").checked,
    invite: $("invite").checked,
    skip_invalid: $("skip-invalid").checked,
    default_role: $("default-role").value,
    max_deactivations: $("max-deactivations").value.trim(),
  };
}

function query(file, opts, extra) {
  const q = new URLSearchParams({ file_name: file.name, default_role: opts.default_role });
  if (opts.full_sync) q.set("full_sync", "true");
  if (opts.invite) q.set("invite", "true");
  if (opts.skip_invalid) q.set("skip_invalid", "true");
  if (opts.max_deactivations !== "") q.set("max_deactivations", opts.max_deactivations);
  for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
  return q.toString();
}

function contentType(file) {
  const name = file.name.toLowerCase();
  if (name.endsWith(".json")) return "application/json";
  if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) return "application/x-ndjson";
  return "text/csv";
}

function previewNote(text) {
  $("preview-note").textContent = text || "";
  $("preview-note").hidden = !text;
}

async function preview(event) {
  event.preventDefault();
  const file = $("file").files[0];
  if (!file) return;
  const opts = options();
  // A new preview replaces whatever the banner said about the last one.
  dismissBanner(false);
  const button = $("preview-button");
  button.disabled = true;
  button.textContent = "Previewing…";
  try {
    const response = await request(`/page/preview?${query(file, opts)}`, {
      method: "POST", body: file, headers: { "Content-Type": contentType(file) },
    });
    if (!response.ok) { banner("failed", `The preview failed: ${await problem(response)}`); return; }
    $("preview").innerHTML = await response.text();
    showPreview(file, opts, response.headers.get("X-Roster-Errors"));
  } catch (e) {
    banner("failed", `The preview failed: the server did not answer (${e.message}).`);
  } finally {
    button.disabled = false;
    button.textContent = "Preview";
  }
}

function showPreview(file, opts, errorsPath) {
  const plan = $("preview").querySelector(".roster-plan");
  const d = plan ? plan.dataset : {};
  const counts = { create: d.create, update: d.update, reactivate: d.reactivate, deactivate: d.deactivate };
  previewed = { file, opts, planId: d.planId || "", counts };
  const passed = plan && plan.querySelector("[data-verdict]").dataset.verdict === "passed";
  const changes = d.changes === "true";
  const errors = $("preview-errors");
  errors.hidden = !errorsPath;
  if (errorsPath) errors.href = errorsPath; else errors.removeAttribute("href");
  const confirm = $("confirm-button");
  confirm.hidden = passed && !changes;
  confirm.disabled = !(canImport && passed && changes && previewed.planId);
  if (passed && !changes) previewNote("No changes: your members already match this file. There is nothing to import.");
  else if (!passed) previewNote("This file cannot be imported as it is: see why below. Nothing was changed.");
  else if (!canImport) previewNote("Importing needs a sync key; this read key may only preview.");
  else previewNote("");
  $("preview-section").hidden = false;
  $("preview-h").focus();
}

function discard() {
  previewed = null;
  $("preview-section").hidden = true;
  $("preview").replaceChildren();
  $("file").focus();
}

function confirmImport() {
  if (!previewed) return;
  const replace = previewed.opts.full_sync;
  $("confirm-file").textContent = previewed.file.name;
  $("confirm-mode").textContent = replace
    ? "Full sync: members missing from the file are deactivated"
    : "Additive: add and update members";
  for (const [k, n] of Object.entries(previewed.counts)) {
    $(`confirm-${k}`).textContent = number(n);
    $(`confirm-${k}`).dataset.n = n || 0;
  }
  $("confirm-deactivate-line").classList.toggle("danger", Number(previewed.counts.deactivate) > 0);
  $("confirm-plan").textContent = previewed.planId;
  $("confirm-verb").textContent = replace ? "Replace" : "Import";
  $("confirm-apply").textContent = replace ? "Replace" : "Import";
  $("confirm-dialog").returnValue = "";
  $("confirm-dialog").showModal();
}

// The banner: one line of text, a download link, a dismiss button. Only `outcome` (a
// visually hidden live region) is announced, once per outcome, never per progress event.
function banner(state, text, link) {
  const b = $("banner");
  b.className = `banner ${state}`;
  b.dataset.state = state;
  $("banner-text").replaceChildren(...(Array.isArray(text) ? text : [text]));
  $("banner-links").replaceChildren(...(link ? [link] : []));
  $("progress").hidden = state !== "processing";
  b.hidden = false;
  if (state !== "processing") $("outcome").textContent = $("banner-text").textContent;
}

function dismissBanner(refocus) {
  $("banner").hidden = true;
  $("banner").dataset.state = "";
  $("outcome").textContent = "";
  if (refocus) $("main").querySelector("h2").focus({ preventScroll: false });
}

function progressed(p) {
  const stage = Math.max(0, STAGES.indexOf(p.stage));
  const part = p.total ? p.done / p.total : 0;
  const pct = Math.min(100, Math.round(((stage + part) / STAGES.length) * 100));
  $("progress").value = pct;
  $("banner-text").textContent = `Importing ${previewed ? previewed.file.name : ""}: ${p.stage} (${pct}%)`;
}

function statSpans(s) {
  const spans = [];
  STATS.forEach(([k, words], i) => {
    if (i > 0) spans.push(", ");
    spans.push(el("span", `${number(s[k])} ${words}`, { "data-stat": k, "data-n": s[k] ?? 0 }));
  });
  return spans;
}

function errorsLink(id) {
  return el("a", "Download errors CSV", { href: `/v1/imports/${id}/errors`, download: `import-${id}-errors.csv`, id: "banner-errors" });
}

function finished(doc, errors) {
  const s = doc.summary || {};
  if (doc.status === "COMPLETED") {
    const text = [`Imported ${doc.file.name} (#${doc.import_id}): `, ...statSpans(s), "."];
    banner("completed", text, s.errors > 0 ? errorsLink(doc.import_id) : null);
  } else {
    const rowErrors = errors.filter((e) => e.row !== null && e.row !== undefined);
    const cause = rowErrors.length
      ? `${number(rowErrors.length)} row errors`
      : errors.map((e) => e.message).join(" ");
    banner("failed", `Failed, nothing was changed: ${cause}`,
      doc.import_id && rowErrors.length ? errorsLink(doc.import_id) : null);
  }
}

async function apply() {
  if (!previewed || $("confirm-dialog").returnValue !== "apply") { $("confirm-button").focus(); return; }
  const { file, opts, planId } = previewed;
  $("confirm-button").disabled = true;
  $("preview-section").hidden = true;
  banner("processing", `Importing ${file.name}…`);
  $("progress").value = 0;
  $("banner").focus();
  try {
    const response = await request(`/v1/sync?${query(file, opts, { expect_plan: planId })}`, {
      method: "POST", body: file,
      headers: { "Content-Type": contentType(file), Accept: "application/x-ndjson" },
    });
    const type = response.headers.get("Content-Type") || "";
    if (type.startsWith("application/x-ndjson")) {
      await readEvents(response);
    } else if (type.startsWith("application/json")) {
      const doc = await response.json();
      finished(doc, doc.errors || []);
    } else {
      banner("failed", `Failed, nothing was changed: ${await problem(response)}`);
    }
  } catch (e) {
    banner("failed", `The server did not answer (${e.message}). Past imports tell whether it ran.`);
  }
  previewed = null;
  $("preview").replaceChildren();
  $("banner").focus();
  await Promise.all([loadCounts(), loadImports(false)]);
}

async function readEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const errors = [];
  let buffer = "";
  const handle = (line) => {
    if (!line.trim()) return;
    const e = JSON.parse(line);
    if (e.event === "progress") progressed(e);
    else if (e.event === "error") errors.push(e);
    else if (e.event === "summary") finished(e, errors);
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const lines = buffer.split("\n");
    buffer = lines.pop();
    lines.forEach(handle);
  }
  handle(buffer);
}

function dropZone() {
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files.length) $("file").files = e.dataTransfer.files;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  $("download-csv").addEventListener("click", () => download("/v1/members", "text/csv", "members.csv"));
  $("download-json").addEventListener("click", () => download("/v1/members", "application/json", "members.json"));
  $("search-form").addEventListener("submit", (e) => search(e, false));
  $("search-more").addEventListener("click", () => search(null, true));
  $("imports-more").addEventListener("click", () => loadImports(true));
  $("upload-form").addEventListener("submit", preview);
  $("confirm-button").addEventListener("click", confirmImport);
  $("cancel-preview").addEventListener("click", discard);
  $("confirm-dialog").addEventListener("close", apply);
  $("banner-dismiss").addEventListener("click", () => dismissBanner(true));
  dropZone();
  loadCounts();
  loadImports(false);
});
