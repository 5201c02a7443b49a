import { expect } from "chai";
import user, { WELCOME_STEPS, type OnboardingResult } from "../../processors/user";
import { fixture, harness, withDetail } from "./helpers";

describe("user processor (user-registered)", () => {
  describe("welcome flow by plan", () => {
    const cases: { plan: string | undefined; expected: string; recognized: boolean; steps: string[] }[] = [
      {
        plan: undefined,
        expected: "free",
        recognized: true,
        steps: ["verify-email", "send-welcome", "product-tour"],
      },
      {
        plan: "free",
        expected: "free",
        recognized: true,
        steps: ["verify-email", "send-welcome", "product-tour"],
      },
      {
        plan: "pro",
        expected: "pro",
        recognized: true,
        steps: ["verify-email", "send-welcome", "product-tour", "setup-billing"],
      },
      {
        plan: " Enterprise ",
        expected: "enterprise",
        recognized: true,
        steps: [
          "verify-email",
          "send-welcome",
          "setup-billing",
          "assign-account-manager",
          "schedule-kickoff-call",
          "configure-sso",
        ],
      },
      {
        plan: "platinum",
        expected: "free",
        recognized: false,
        steps: ["verify-email", "send-welcome", "product-tour"],
      },
      {
        plan: "toString",
        expected: "free",
        recognized: false,
        steps: ["verify-email", "send-welcome", "product-tour"],
      },
    ];
    for (const c of cases) {
      it(`plan ${JSON.stringify(c.plan)} → ${c.expected} flow${c.recognized ? "" : " (unrecognized)"}`, async () => {
        const h = harness(user);
        const result = await h.run<OnboardingResult>(
          withDetail(fixture("user-registered"), { plan: c.plan }),
        );
        expect(result).to.deep.include({ plan: c.expected, planRecognized: c.recognized, steps: c.steps });
        expect(h.lines.some((l) => l.level === "warn")).to.equal(!c.recognized);
      });
    }
  });

  it("starts onboarding for the fixture user and emits the welcome e-mail", async () => {
    const h = harness(user);
    const result = await h.run<OnboardingResult>(fixture("user-registered"));
    expect(result).to.deep.equal({
      userId: "USER-001",
      plan: "pro",
      planRecognized: true,
      status: "onboarding",
      steps: [...WELCOME_STEPS.pro],
      registeredAt: "2025-01-06T10:00:00Z",
      welcomeNotificationId: "welcome-USER-001",
    });
    expect(h.published).to.deep.equal([
      {
        source: "backbone.user",
        detailType: "notification-sent",
        detail: {
          notificationId: "welcome-USER-001",
          recipient: "ana@example.com",
          channel: "email",
          template: "welcome",
          data: { userId: "USER-001", name: "Ana", plan: "pro" },
        },
      },
    ]);
  });

  it("greets a user without a name by the local part of the e-mail", async () => {
    const h = harness(user);
    await h.run(withDetail(fixture("user-registered"), { name: undefined }));
    expect(h.published[0].detail.data).to.deep.include({ name: "ana" });
  });

  it("is idempotent: one welcome e-mail per registration event", async () => {
    const h = harness(user);
    const first = await h.run(fixture("user-registered"));
    const second = await h.run(fixture("user-registered"));
    expect(second).to.deep.equal(first);
    expect(h.published).to.have.length(1);
  });
});
