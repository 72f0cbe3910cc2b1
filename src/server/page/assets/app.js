// The admin page of `roster serve`, part two (part one is /lists.js): the upload, the preview
// (rendered and escaped by the server, the only HTML the page inserts as such), the confirmation
// dialog and the status banner.
"use strict";

const STAGES = ["parse", "validate", "plan", "apply"];
// The outcome's statistics, in words a person uses.
const STATS = [
  ["created", "created"], ["updated", "updated"], ["reactivated", "reactivated"],
  ["deactivated", "deactivated"], ["unchanged", "unchanged"], ["teams_created", "teams created"],
  ["protected_skipped", "protected rows skipped"], ["banned_skipped", "banned rows skipped"],
  ["errors", "row errors"],
];
let previewed = null; // { file, opts, planId, counts }

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

// Banned rows skipped and row errors are named only when there are some: the line stays one line.
const ONLY_IF_ANY = ["banned_skipped", "errors"];

function statSpans(s) {
  const spans = [];
  for (const [k, words] of STATS) {
    if (ONLY_IF_ANY.includes(k) && !s[k]) continue;
    if (spans.length) spans.push(", ");
    spans.push(el("span", `${number(s[k])} ${words}`, { "data-stat": k, "data-n": s[k] ?? 0 }));
  }
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

// ---- revert (SPEC §16): its plan first (a dry run), then the same plan applied ----
let reverting = null; // { id, planId }

async function reviewRevert(id) {
  const response = await request(`/v1/imports/${id}/revert?dry_run=true`, { method: "POST", headers: { Accept: "application/json" } });
  const type = response.headers.get("Content-Type") || "";
  if (!type.startsWith("application/json")) { banner("failed", `Failed, nothing was changed: ${await problem(response)}`); return; }
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
    banner("failed", `Failed, nothing was changed: ${await problem(response)}`);
  }
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
  $("revert-dialog").addEventListener("close", applyRevert);
  $("revert-skip").addEventListener("change", () => { $("revert-apply").disabled = !$("revert-skip").checked; });
  dropZone();
  loadCounts();
  loadImports(false);
});
