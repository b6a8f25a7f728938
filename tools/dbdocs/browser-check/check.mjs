// Browser check of the docs page (make docs-screenshot): headless Chromium loads
// doc/db/index.html from disk, the page makes no network request and logs no error, typing a table
// name in the filter hides the other tables, and screenshots are taken at laptop and phone widths.
//
// usage: node check.mjs [page.html] [output folder]   (CHROMIUM overrides /usr/bin/chromium)
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.resolve(import.meta.dirname, "../../..");
const pagePath = path.resolve(process.argv[2] ?? path.join(root, "doc/db/index.html"));
const outDir = path.resolve(process.argv[3] ?? path.join(root, "target"));
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const args = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const failures = [];
function check(condition, message) {
  if (!condition) failures.push(message);
  console.log(`${condition ? "ok  " : "FAIL"} ${message}`);
}

async function open(viewport, mobile) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "dbdocs-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args,
    viewport,
    deviceScaleFactor: mobile ? 2 : 1,
    isMobile: mobile,
    hasTouch: mobile,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  // Self-contained: anything but the file itself is a failure, and is refused.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
    problems.push(`network request to ${url}`);
    return route.abort();
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
  });
  await page.goto(pathToFileURL(pagePath).href, { waitUntil: "load" });
  return {
    page,
    problems,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

const visibleTables = (page) =>
  page.$$eval("section.table-card", (sections) =>
    sections.filter((s) => s.offsetParent !== null).map((s) => s.dataset.table),
  );

async function laptop() {
  const { page, problems, close } = await open({ width: 1366, height: 900 }, false);
  try {
    const all = await visibleTables(page);
    check(all.length >= 6, `all ${all.length} tables are shown before filtering`);
    const nodes = await page.$$eval(".er-node", (n) => n.length);
    check(nodes === all.length, `the ER diagram has a node per table (${nodes})`);
    await page.screenshot({ path: path.join(outDir, "docs-screenshot.png") });
    await page.screenshot({ path: path.join(outDir, "docs-screenshot-full.png"), fullPage: true });

    const filter = page.locator("#filter");
    await filter.click();
    await filter.pressSequentially("sessions", { delay: 20 });
    const shown = await visibleTables(page);
    check(
      shown.length === 1 && shown[0] === "sessions",
      `typing "sessions" leaves only that table (shown: ${shown.join(", ")})`,
    );
    const toc = await page.$$eval("[data-toc]", (items) =>
      items.filter((i) => i.offsetParent !== null).map((i) => i.dataset.toc),
    );
    check(toc.join() === "sessions", `the contents list only sessions (${toc.join(", ")})`);
    const rows = await page.$$eval(".catalogue-grid tbody tr", (rs) =>
      rs.filter((r) => r.offsetParent !== null).map((r) => r.dataset.query),
    );
    check(
      rows.length > 0 && rows.every((q) => q.includes("session")),
      `the query catalogue narrows to the session queries (${rows.join(", ")})`,
    );
    const dimmed = await page.$$eval(".er-node", (ns) =>
      ns.filter((n) => n.classList.contains("dim")).map((n) => n.dataset.table),
    );
    check(
      dimmed.length === all.length - 1 && !dimmed.includes("sessions"),
      `the diagram dims the other ${dimmed.length} tables`,
    );
    const status = await page.textContent("#filter-status");
    check(/^1 of \d+ tables, \d+ of \d+ queries$/.test(status ?? ""), `the status says "${status}"`);
    await page.screenshot({ path: path.join(outDir, "docs-screenshot-filtered.png") });

    await filter.fill("");
    await filter.pressSequentially("lock_account", { delay: 10 });
    const lockTables = await visibleTables(page);
    const cards = await page.$$eval("article.query", (qs) =>
      qs.filter((q) => q.offsetParent !== null).map((q) => q.dataset.query),
    );
    check(
      lockTables.join() === "accounts" && cards.length === 2 && cards.every((c) => c.startsWith("lock_account")),
      `a query name shows its table with only the matching queries (${lockTables.join()}: ${cards.join(", ")})`,
    );

    await filter.fill("no_such_thing");
    check((await visibleTables(page)).length === 0, "a filter that matches nothing hides every table");
    check(await page.isVisible("#no-match"), "and says that nothing matches");

    await filter.press("Escape");
    check((await visibleTables(page)).length === all.length, "Escape clears the filter");
  } finally {
    check(problems.length === 0, `no network request and no error at laptop width ${problems.join("; ")}`);
    await close();
  }
}

async function phone() {
  const { page, problems, close } = await open({ width: 390, height: 844 }, true);
  try {
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    check(overflow <= 0, `no sideways scrolling at phone width (overflow ${overflow}px)`);
    check(await page.isVisible("#filter"), "the filter box is visible on a phone");
    await page.screenshot({ path: path.join(outDir, "docs-screenshot-phone.png") });
    await page.screenshot({ path: path.join(outDir, "docs-screenshot-phone-full.png"), fullPage: true });
    await page.click(".menu");
    check(await page.isVisible(".toc"), "the Contents button opens the table of contents");
    await page.screenshot({ path: path.join(outDir, "docs-screenshot-phone-menu.png") });
    await page.click('.toc a[href="#table-accounts"]');
    check(!(await page.isVisible(".toc")), "following a contents link closes it");
    await page.fill("#filter", "users");
    const shown = await visibleTables(page);
    check(shown.join() === "users", `the filter works on a phone too (shown: ${shown.join(", ")})`);
  } finally {
    check(problems.length === 0, `no network request and no error at phone width ${problems.join("; ")}`);
    await close();
  }
}

if (!fs.existsSync(pagePath)) {
  console.error(`${pagePath} does not exist: run make db_docs first`);
  process.exit(1);
}
fs.mkdirSync(outDir, { recursive: true });
try {
  await laptop();
  await phone();
} catch (err) {
  failures.push(String(err?.stack ?? err));
  console.error(err);
}
if (failures.length > 0) {
  console.error(`browser check failed: ${failures.length} problem(s)`);
  process.exit(1);
}
console.log(`browser check passed; screenshots in ${path.relative(process.cwd(), outDir) || "."}/docs-screenshot*.png`);
