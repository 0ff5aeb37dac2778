import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { importInReview } from "./review-world";
import { storageFor } from "./users";

/** The evidence pack from the review page: an auditor downloads it, it verifies offline; others see no button. */
test.describe("evidence pack download", () => {
  test.use({ storageState: storageFor("auditor") });

  test("an auditor downloads the pack of a clone, with the key fingerprint shown, and it verifies", async ({
    page,
    browser,
  }) => {
    const officer = await browser.newContext({ storageState: storageFor("officer") });
    const { importId, cloneSessionId } = await importInReview(officer.request);

    await page.goto(`/reviews/${importId}`);
    const key = (await (await page.request.get("/api/evidence/public-key")).json()) as {
      fingerprint: string;
    };
    await expect(page.getByTestId("evidence-key-fingerprint")).toHaveText(
      key.fingerprint.match(/.{4}/g)!.join(" "),
    );
    const button = page.getByRole("button", { name: "Download evidence pack" });
    const downloading = page.waitForEvent("download");
    await button.click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(
      new RegExp(`^handoff-evidence-${cloneSessionId}-\\d{4}-\\d{2}-\\d{2}\\.zip$`),
    );
    await expect(page.getByRole("status").filter({ hasText: /^Downloaded handoff-evidence-/ })).toBeVisible();
    const file = path.join(mkdtempSync(path.join(tmpdir(), "e2e-evidence-")), download.suggestedFilename());
    await download.saveAs(file);
    const verified = spawnSync(
      "npx",
      [
        "tsx",
        "--conditions=react-server",
        "scripts/evidence-verify.ts",
        file,
        "--fingerprint",
        key.fingerprint,
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(verified.stdout, verified.stderr).toContain(`Evidence pack VERIFIED: session ${cloneSessionId}`);
    expect(verified.status).toBe(0);

    // An officer sees the same page without the button; the API refuses the officer.
    const officerPage = await officer.newPage();
    await officerPage.goto(`/reviews/${importId}`);
    await expect(officerPage.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(officerPage.getByRole("button", { name: "Download evidence pack" })).toHaveCount(0);
    expect((await officer.request.get(`/api/evidence/${cloneSessionId}`)).status()).toBe(403);
    await officer.close();
  });
});
