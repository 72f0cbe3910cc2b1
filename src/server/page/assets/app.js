// The admin page of `roster serve`: plain DOM calls, no framework, no build step. Every request
// goes to this server; the session cookie authenticates it, and each POST carries the page's
// CSRF token. Text from the server goes in with textContent, except the preview, which the
// server renders (and escapes) as HTML.
"use strict";

const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
const csrf = meta("roster-csrf");
const canImport = meta("roster-scope") === "sync";
const $ = (id) => document.getElementById(id);
const STATUSES = ["ACTIVE", "INVITED", "PROVISIONED", "INACTIVE", "BANNED"];
let previewed = null; // { file, options, planId }

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

function row(cells) {
  const tr = el("tr");
  for (const cell of cells) {
    const td = el("td");
    if (cell instanceof Node) td.append(cell); else td.textContent = cell ?? "";
    tr.append(td);
  }
  return tr;
}

async function request(path, options) {
  const opts = Object.assign({ credentials: "same-origin" }, options || {});
  opts.headers = Object.assign({}, opts.headers || {});
  if (opts.method === "POST") opts.headers["X-CSRF-Token"] = csrf;
  const response = await fetch(path, opts);
  if (response.status === 401) { window.location.assign("/"); throw new Error("signed out"); }
  return response;
}

async function problem(response) {
  try { const p = await response.json(); return p.detail || p.title || response.statusText; }
  catch (_) { return `${response.status} ${response.statusText}`; }
}

// ---- members ----
async function loadMembers() {
  const response = await request(`/v1/members?status=${STATUSES.join(",")}`, { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const members = await response.json();
  const counts = $("status-counts");
  counts.replaceChildren(el("li", `${members.length} in all`, { "data-status": "ALL", "data-count": members.length }));
  for (const status of STATUSES) {
    const n = members.filter((m) => m.status === status).length;
    counts.append(el("li", `${status}: ${n}`, { "data-status": status, "data-count": n }));
  }
  const body = $("members-table").tBodies[0];
  body.replaceChildren(...members.slice(0, 100).map((m) => row([
    m.email || m.external_id || m.phone,
    m.name || [m.first_name, m.last_name].filter(Boolean).join(" "),
    m.organization_role, m.status,
    (m.teams || []).map((t) => `${t.team} (${t.team_role})`).join(", "),
  ])));
}

async function download(path, accept, name) {
  const response = await request(path, { headers: { Accept: accept } });
  if (!response.ok) { banner("failed", "Download failed", [await problem(response)]); return; }
  const url = URL.createObjectURL(await response.blob());
  const a = el("a", null, { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---- past imports ----
function stats(summary) {
  if (!summary) return "";
  const keys = ["created", "updated", "reactivated", "deactivated", "unchanged", "errors"];
  return keys.map((k) => `${k} ${summary[k] ?? 0}`).join(" · ");
}

async function loadImports() {
  const response = await request("/v1/imports?limit=20", { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const imports = await response.json();
  const body = $("imports-table").tBodies[0];
  body.replaceChildren(...imports.map((imp) => {
    // The history's vocabulary (issue 22): `import_id` and `file.name`.
    const i = Object.assign({ id: imp.import_id, file_name: imp.file.name }, imp);
    const file = el("span");
    file.append(el("strong", i.file_name), el("br"), el("small", `${i.operator} · ${i.started_at} · ${i.mode.replace("_", " ")}`));
    const links = el("span");
    if (i.summary && i.summary.errors > 0) {
      links.append(el("a", "Errors CSV", { href: `/v1/imports/${i.id}/errors`, download: `import-${i.id}-errors.csv`, "data-errors": i.id }), " ");
    }
    links.append(el("a", "Original", { href: `/v1/imports/${i.id}/original`, download: i.file_name.split("/").pop() }));
    if (canImport && i.status === "COMPLETED") {
      const button = el("button", "Revert", { type: "button", class: "secondary", "data-revert": i.id });
      button.addEventListener("click", () => reviewRevert(i.id));
      links.append(" ", button);
    }
    const stat = el("span", i.summary ? stats(i.summary) : (i.message || ""), { class: "stats" });
    return row([String(i.id), file, el("span", i.status, { class: `badge ${i.status}` }), stat, links]);
  }));
}

// ---- upload, preview, confirm ----
function options() {
  return {
    full_sync: $("full-sync").checked,
    invite: $("invite").checked,
    skip_invalid: $("skip-invalid").checked,
    default_role: $("default-role").value,
  };
}

function query(file, opts, extra) {
  const q = new URLSearchParams({ file_name: file.name, default_role: opts.default_role });
  if (opts.full_sync) q.set("full_sync", "true");
  if (opts.invite) q.set("invite", "true");
  if (opts.skip_invalid) q.set("skip_invalid", "true");
  for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
  return q.toString();
}

function contentType(file) {
  const name = file.name.toLowerCase();
  if (name.endsWith(".json")) return "application/json";
  if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) return "application/x-ndjson";
  return "text/csv";
}

async function preview(event) {
  event.preventDefault();
  const file = $("file").files[0];
  if (!file) return;
  const opts = options();
  $("preview-button").disabled = true;
  try {
    const response = await request(`/page/preview?${query(file, opts)}`, {
      method: "POST", body: file, headers: { "Content-Type": contentType(file) },
    });
    if (!response.ok) { banner("failed", "The preview failed", [await problem(response)]); return; }
    $("preview").innerHTML = await response.text();
    const plan = $("preview").querySelector(".roster-plan");
    previewed = { file, opts, planId: plan ? plan.dataset.planId : "" };
    const passed = plan && plan.querySelector("[data-verdict]").dataset.verdict === "passed";
    $("confirm-button").disabled = !(canImport && passed && previewed.planId);
    $("preview-section").hidden = false;
    $("preview-h").focus();
  } finally {
    $("preview-button").disabled = false;
  }
}

function confirmImport() {
  if (!previewed) return;
  const replace = previewed.opts.full_sync;
  $("confirm-file").textContent = previewed.file.name;
  $("confirm-mode").textContent = replace
    ? "Full sync: replace the roster (members missing from the file are deactivated)"
    : "Additive: add and update members";
  $("confirm-plan").textContent = previewed.planId;
  $("confirm-verb").textContent = replace ? "Replace" : "Import";
  $("confirm-apply").textContent = replace ? "Replace" : "Import";
  $("confirm-dialog").returnValue = "";
  $("confirm-dialog").showModal();
}

function banner(state, title, lines, link) {
  const b = $("banner");
  b.className = `banner ${state}`;
  b.dataset.state = state;
  b.replaceChildren(el("span", title, { id: "banner-title" }));
  if (lines && lines.length) b.append(el("ul"));
  for (const line of lines || []) b.querySelector("ul").append(el("li", line));
  if (link) b.append(" ", link);
  b.hidden = false;
}

function progressBanner(p) {
  banner("processing", `Processing: ${p.stage} ${p.done} of ${p.total}`);
  const bar = el("progress", null, { max: String(p.total || 1), value: String(p.done), "aria-label": "Import progress" });
  $("banner").append(bar);
}

function finished(doc, errors) {
  const s = doc.summary || {};
  if (doc.status === "COMPLETED") {
    const keys = ["created", "updated", "reactivated", "deactivated", "unchanged", "errors"];
    const link = s.errors > 0
      ? el("a", "Download errors CSV", { href: `/v1/imports/${doc.import_id}/errors`, download: `import-${doc.import_id}-errors.csv`, id: "banner-errors" })
      : null;
    banner("completed", `Completed: import ${doc.import_id} of ${doc.file.name}`, keys.map((k) => `${k}: ${s[k] ?? 0}`), link);
    for (const [i, k] of keys.entries()) $("banner").querySelectorAll("li")[i].dataset.stat = k;
  } else {
    const rowErrors = errors.some((e) => e.row !== null && e.row !== undefined);
    const link = doc.import_id && rowErrors
      ? el("a", "Download errors CSV", { href: `/v1/imports/${doc.import_id}/errors`, download: `import-${doc.import_id}-errors.csv`, id: "banner-errors" })
      : null;
    const messages = errors.slice(0, 20).map((e) => e.row ? `row ${e.row}: ${e.message}` : e.message);
    banner("failed", "Failed: nothing was changed", messages, link);
  }
}

async function apply() {
  if (!previewed || $("confirm-dialog").returnValue !== "apply") return;
  const { file, opts, planId } = previewed;
  $("confirm-button").disabled = true;
  banner("processing", `Processing ${file.name}…`);
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
    banner("failed", "Failed: nothing was changed", [await problem(response)]);
  }
  previewed = null;
  $("preview-section").hidden = true;
  await Promise.all([loadMembers(), loadImports()]);
}

// ---- revert (SPEC §16): its plan first (a dry run), then the same plan applied ----
let reverting = null; // { id, planId }

async function reviewRevert(id) {
  const response = await request(`/v1/imports/${id}/revert?dry_run=true`, { method: "POST", headers: { Accept: "application/json" } });
  const type = response.headers.get("Content-Type") || "";
  if (!type.startsWith("application/json")) { banner("failed", "Failed: nothing was changed", [await problem(response)]); return; }
  const doc = await response.json();
  const s = doc.summary || {};
  const keys = ["reactivated", "updated", "deactivated", "memberships_added", "memberships_removed", "teams_created", "teams_deleted"];
  $("revert-id").textContent = String(id);
  $("revert-counts").replaceChildren(...keys.map((k) => el("li", `${k.replace("_", " ")}: ${s[k] ?? 0}`, { "data-stat": k })));
  const errors = (doc.errors || []).map((e) => e.message);
  const conflicts = response.status === 409 && errors[0] && errors[0].includes("--skip-conflicts");
  $("revert-refusal").hidden = errors.length === 0;
  $("revert-refusal-title").textContent = errors.length ? (conflicts ? "Changed since this import:" : "This revert is refused:") : "";
  $("revert-messages").replaceChildren(...errors.map((m) => el("li", m)));
  $("revert-skip-line").hidden = !conflicts;
  $("revert-skip").checked = false;
  $("revert-plan").textContent = doc.plan_id || "";
  const allowed = response.ok || conflicts;
  $("revert-apply").disabled = !allowed || (conflicts && !$("revert-skip").checked);
  reverting = allowed ? { id, planId: doc.plan_id } : null;
  $("revert-dialog").returnValue = "";
  $("revert-dialog").showModal();
}

async function applyRevert() {
  if (!reverting || $("revert-dialog").returnValue !== "revert") return;
  const { id, planId } = reverting;
  reverting = null;
  banner("processing", `Reverting import ${id}…`);
  const skip = $("revert-skip").checked ? "&skip_conflicts=true" : "";
  const response = await request(`/v1/imports/${id}/revert?expect_plan=${encodeURIComponent(planId)}${skip}`, { method: "POST", headers: { Accept: "application/json" } });
  const type = response.headers.get("Content-Type") || "";
  if (type.startsWith("application/json")) {
    const doc = await response.json();
    finished(doc, doc.errors || []);
  } else {
    banner("failed", "Failed: nothing was changed", [await problem(response)]);
  }
  await Promise.all([loadMembers(), loadImports()]);
}

async function readEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const errors = [];
  let buffer = "";
  const handle = (line) => {
    if (!line.trim()) return;
    const e = JSON.parse(line);
    if (e.event === "progress") progressBanner(e);
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
  $("upload-form").addEventListener("submit", preview);
  $("confirm-button").addEventListener("click", confirmImport);
  $("cancel-preview").addEventListener("click", () => { previewed = null; $("preview-section").hidden = true; });
  $("confirm-dialog").addEventListener("close", apply);
  $("revert-dialog").addEventListener("close", applyRevert);
  $("revert-skip").addEventListener("change", () => { $("revert-apply").disabled = !$("revert-skip").checked; });
  dropZone();
  loadMembers();
  loadImports();
});
