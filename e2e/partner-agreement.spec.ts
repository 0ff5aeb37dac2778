import { expect, test, type APIRequestContext } from "@playwright/test";
import { storageFor } from "./users";

/**
 * Issue 15: an agreement in force needs a reference and a signing date (a partner without one is
 * listed but refused for sharing), lifetimes in minutes and hours, workflows picked by name.
 */

type App = { id: string; name: string; workflows: { id: string; name: string; kind: string }[] };
type SessionItem = { sessionId: string; number: number | null };

async function demoApp(request: APIRequestContext, name: string): Promise<App> {
  let app: App | undefined;
  await expect
    .poll(
      async () => {
        const apps = (await (await request.get("/api/applications")).json()) as { items?: App[] };
        app = apps.items?.find((a) => a.name === name);
        return app ? "connected" : "not yet";
      },
      { timeout: 60_000 },
    )
    .toBe("connected");
  return app!;
}

async function approvedSession(request: APIRequestContext, app: App): Promise<SessionItem> {
  let session: SessionItem | undefined;
  await expect
    .poll(
      async () => {
        const res = await request.get(
          `/api/sessions?applicationId=${app.id}&kind=user&status=Approved&limit=5`,
        );
        const body = (await res.json()) as { items?: SessionItem[] };
        session = body.items?.find((s) => s.number !== null);
        return session ? "mirrored" : "not yet";
      },
      { timeout: 60_000, intervals: [500, 1_000, 2_000] },
    )
    .toBe("mirrored");
  return session!;
}

test.describe("the partner form, as a partnership manager", () => {
  test.use({ storageState: storageFor("partnerships") });

  test("lifetimes in minutes and hours, the import workflow by name, and an active partner's agreement kept", async ({
    page,
  }) => {
    const bank = await demoApp(page.request, "Northwind Bank");
    const kyc = bank.workflows.find((w) => w.kind === "user");
    expect(kyc, "the demo names Northwind Bank's workflows").toBeTruthy();
    const name = `Agreement Co ${Date.now()}`;

    await page.goto("/partners/new");
    const form = page.getByRole("form", { name: "New partner" });
    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel("Partner's Didit application id").fill(crypto.randomUUID());
    await form.getByLabel("For our application").selectOption({ label: "Northwind Bank" });
    await form.getByLabel("Direction").selectOption("both");
    // Blank agreement: the form says what that means before anything is saved.
    await expect(form.getByText(/no agreement is in force: the partner can be saved/)).toBeVisible();
    await form.getByLabel("Reference").fill("DSA-E2E-15");
    await form.getByLabel("Signed on").fill("2026-01-15");
    await expect(form.getByText(/no agreement is in force/)).toBeHidden();

    // Lifetimes: a preset of the wizard for the default, minutes or hours typed for the maximum.
    await form
      .getByRole("group", { name: "Default token lifetime: presets" })
      .getByRole("button", { name: "15 minutes" })
      .click();
    await expect(form.getByLabel("Default token lifetime", { exact: true })).toHaveValue("15");
    await expect(form.getByLabel("Default token lifetime: unit")).toHaveValue("minutes");
    await form.getByLabel("Maximum token lifetime", { exact: true }).fill("1.5");
    await form.getByLabel("Maximum token lifetime: unit").selectOption("hours");
    await form.getByRole("button", { name: "Create partner" }).click();
    await expect(
      form.getByText("The maximum lifetime: enter a whole number of minutes or hours"),
    ).toBeVisible();
    await form.getByLabel("Maximum token lifetime", { exact: true }).fill("2");

    // The import workflow: Northwind Bank's KYC workflow by the name the application gives it.
    const workflow = form.getByLabel("KYC import workflow", { exact: true });
    await expect(workflow.getByRole("option", { name: kyc!.name })).toBeAttached();
    await workflow.selectOption({ label: kyc!.name });
    await page.screenshot({ path: "/tmp/i15c/partner-form.png", fullPage: true });
    await form.getByRole("button", { name: "Create partner" }).click();

    const secret = page.getByRole("dialog", { name: `Shared secret for ${name}` });
    await expect(secret).toBeVisible();
    await secret.getByRole("button", { name: "Done" }).click();
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    await expect(page.getByText("default 15 minutes, at most 2 hours")).toBeVisible();
    await expect(page.getByText(kyc!.name, { exact: true })).toBeVisible();
    const id = page.url().split("/").pop()!;
    const stored = (await (await page.request.get(`/api/partners/${id}`)).json()) as Record<string, unknown>;
    expect(stored).toMatchObject({
      defaultTtlSeconds: 900,
      maxTtlSeconds: 7200,
      importWorkflowUser: kyc!.id,
    });

    // Blanking the reference of an active partner is refused on the field, and nothing changes.
    await page.getByRole("button", { name: "Edit" }).click();
    const edit = page.getByRole("form", { name: "Edit partner" });
    await edit.getByLabel("Reference").fill("");
    await edit.getByRole("button", { name: "Save changes" }).click();
    const reference = edit.getByLabel("Reference");
    await expect(reference).toHaveAttribute("aria-invalid", "true");
    await expect(
      edit.getByText(
        /An active partner needs its agreement's reference: keep it, or suspend the partner first/,
      ),
    ).toBeVisible();
    await expect(reference).toBeFocused();
    await page.screenshot({ path: "/tmp/i15c/partner-refusal.png", fullPage: true });
    expect(
      ((await (await page.request.get(`/api/partners/${id}`)).json()) as { agreementReference: string })
        .agreementReference,
    ).toBe("DSA-E2E-15");

    // Another workflow by its id: raw entry stays possible.
    const other = crypto.randomUUID();
    await edit.getByLabel("Reference").fill("DSA-E2E-15");
    await edit
      .getByLabel("KYB import workflow", { exact: true })
      .selectOption({ label: "Another workflow (enter its ID)…" });
    await edit.getByLabel("KYB import workflow: workflow ID").fill(other);
    await edit.getByRole("button", { name: "Save changes" }).click();
    await expect(edit).toBeHidden();
    await expect(page.getByText(other)).toBeVisible();
  });

  test("at 390 px the lifetime and workflow fields fit the screen", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/partners/new");
    const form = page.getByRole("form", { name: "New partner" });
    await form.getByLabel("For our application").selectOption({ label: "Northwind Bank" });
    const unit = form.getByLabel("Maximum token lifetime: unit");
    await unit.scrollIntoViewIfNeeded();
    const box = await unit.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await form.getByLabel("KYC import workflow", { exact: true }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: "/tmp/i15c/partner-form-390.png" });
  });
});

test.describe("a partner without an agreement in force, as the compliance officer", () => {
  test.use({ storageState: storageFor("officer") });

  test("is listed as not eligible in the share wizard, saying what is missing, and flagged on /partners", async ({
    page,
    browser,
  }) => {
    const manager = await browser.newContext({ storageState: storageFor("partnerships") });
    const bank = await demoApp(page.request, "Northwind Bank");
    const session = await approvedSession(page.request, bank);
    const name = `Unsigned Ltd ${Date.now()}`;
    const created = await manager.request.post("/api/partners", {
      data: {
        name,
        diditApplicationId: crypto.randomUUID(),
        applicationId: bank.id,
        direction: "outbound",
        deliveryChannel: "manual",
        agreementReference: "",
        agreementSignedOn: "2026-01-15",
        allowedKinds: ["user"],
      },
    });
    expect(created.status(), await created.text()).toBe(201);
    const partnerId = ((await created.json()) as { partner: { id: string } }).partner.id;
    await manager.close();

    // The API refuses the share with the new code, and says what to do.
    const refused = await page.request.post("/api/shares", {
      data: { sessionId: session.sessionId, partnerId },
    });
    expect(refused.status()).toBe(409);
    const error = ((await refused.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("partner_agreement_missing");
    expect(error.message).toMatch(/record the agreement's reference and signing date on the partner's page/);

    await page.goto(`/sessions?applicationId=${bank.id}&kind=user&q=${session.sessionId}`);
    await page
      .getByRole("table", { name: "Sessions" })
      .getByRole("button", { name: new RegExp(`^Open session #${session.number}:`) })
      .click();
    const drawer = page.getByRole("dialog", { name: new RegExp(`#${session.number}`) });
    await drawer.getByRole("button", { name: "Share with a partner" }).click();
    const wizard = page.getByRole("dialog", { name: `Share session #${session.number}` });
    const radio = wizard.getByRole("radio", { name: new RegExp(name) });
    await expect(radio).toBeDisabled();
    await expect(radio).toHaveAccessibleDescription(
      new RegExp(`No data-sharing agreement is in force with ${name}: its reference is not recorded`),
    );
    await radio.scrollIntoViewIfNeeded();
    await page.screenshot({ path: "/tmp/i15c/wizard-ineligible.png" });
    // Northwind Pay (agreement in force) stays eligible.
    await expect(wizard.getByRole("radio", { name: /Northwind Pay/ })).toBeEnabled();

    await page.goto(`/partners?q=${encodeURIComponent(name)}`);
    const row = page.getByRole("table", { name: "Partners" }).getByRole("row").filter({ hasText: name });
    await expect(row).toContainText("no agreement in force");
    await row.getByRole("link", { name }).click();
    await expect(page.getByRole("alert").filter({ hasText: "No agreement in force" })).toContainText(
      "The agreement's reference is not recorded",
    );
  });
});
