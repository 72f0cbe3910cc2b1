// The admin page of `roster serve`, part one: the shared helpers, the current members (counts
// and search, both server-side reads: the page never downloads the member list to show it) and
// the past imports. Part two (/app.js) is the upload, preview, confirmation and banner. Plain
// DOM calls, no framework, no build step; classic scripts, so their top-level names are shared.
// Every request goes to this server; the session cookie authenticates it, and each POST carries
// the page's CSRF token. Text from the server goes in with textContent.
"use strict";

const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
const csrf = meta("roster-csrf");
const canImport = meta("roster-scope") === "sync";
const $ = (id) => document.getElementById(id);
const STATUSES = ["ACTIVE", "INVITED", "PROVISIONED", "INACTIVE", "BANNED"];
const IMPORTS_PAGE = 10;
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
  if (!q || (more && !nextSearch)) return;
  // A new search hides the last one's summary until its own answer is in.
  if (!more) $("search-summary").hidden = true;
  const path = more && nextSearch ? nextSearch : `/v1/members/search?q=${encodeURIComponent(q)}&limit=20`;
  // One page at a time: a second click while this one loads would fetch it twice.
  $("search-more").disabled = true;
  const got = await read(path, "search-error", () => search(null, more));
  $("search-more").disabled = false;
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
  const id = i.import_id;
  const name = i.file.name;
  const li = el("li", null, { "data-import": id, "data-status": i.status });
  const line = el("div", null, { class: "line1" });
  line.append(el("strong", name.split("/").pop(), { class: "ident", title: name }),
    el("span", statusWord(i.status), { class: `badge ${i.status}` }));
  const when = (i.started_at || "").replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC");
  li.append(line, el("div", `#${id} · ${i.operator} · ${when} · ${i.mode.replace("_", " ")}`, { class: "sub" }));
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
      href: `/v1/imports/${id}/errors`, download: `import-${id}-errors.csv`, "data-errors": id,
    }));
  }
  links.append(el("a", "Original file", { href: `/v1/imports/${id}/original`, download: name.split("/").pop() }));
  if (canImport && i.status === "COMPLETED") {
    // reviewRevert is app.js's (part two), loaded before any list is drawn.
    const button = el("button", "Revert", { type: "button", class: "secondary", "data-revert": id });
    button.addEventListener("click", () => reviewRevert(id));
    links.append(button);
  }
  li.append(links);
  return li;
}

async function loadImports(more) {
  const path = more && nextImports ? nextImports : `/v1/imports?limit=${IMPORTS_PAGE}`;
  $("imports-more").disabled = true;
  const got = await read(path, "imports-error", () => loadImports(more));
  $("imports-more").disabled = false;
  const list = $("imports-list");
  if (!got) { if (!more) list.replaceChildren(); $("imports-more").hidden = true; return; }
  const items = got.body.map(importItem);
  if (more) list.append(...items); else list.replaceChildren(...items);
  nextImports = got.next;
  $("imports-more").hidden = !nextImports;
  $("imports-empty").hidden = list.children.length > 0;
  if (more && items.length) { items[0].tabIndex = -1; items[0].focus(); }
}

