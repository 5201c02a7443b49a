import { Type } from "@sinclair/typebox";
import { defineProcessor } from "./runtime";

/** `user-registered`: customer onboarding. */
export const UserRegistered = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: 128 }),
    email: Type.String({ minLength: 3, maxLength: 254, pattern: "^[^@\\s]+@[^@\\s]+$" }),
    name: Type.Optional(Type.String({ maxLength: 256 })),
    plan: Type.Optional(Type.String({ maxLength: 64 })),
    signupSource: Type.Optional(Type.String({ maxLength: 64 })),
  },
  {
    additionalProperties: true,
    version: 1,
    examples: [
      { userId: "USER-001", email: "ada@example.com", name: "Ada", plan: "pro" },
      { userId: "USER-002", email: "grace@example.com", plan: "enterprise", signupSource: "partner" },
    ],
  },
);

/** Plans with their own onboarding; anything else (or none) onboards as `free`. */
export type Plan = "free" | "pro" | "enterprise";

/**
 * The welcome flow per plan, in order. Every plan verifies the e-mail and sends the welcome message;
 * paying plans add billing set-up; enterprise gets a human (account manager, kick-off call) and SSO.
 */
export const WELCOME_STEPS: Readonly<Record<Plan, readonly string[]>> = {
  free: ["verify-email", "send-welcome", "product-tour"],
  pro: ["verify-email", "send-welcome", "product-tour", "setup-billing"],
  enterprise: [
    "verify-email",
    "send-welcome",
    "setup-billing",
    "assign-account-manager",
    "schedule-kickoff-call",
    "configure-sso",
  ],
};

/** Case-insensitive plan lookup; unknown plans fall back to `free` and say so. */
export function planOf(plan: string | undefined): { plan: Plan; recognized: boolean } {
  const normalized = (plan ?? "free").trim().toLowerCase();
  if (normalized === "free" || normalized === "pro" || normalized === "enterprise") {
    return { plan: normalized, recognized: true };
  }
  return { plan: "free", recognized: false };
}

/** The user processor's result. */
export interface OnboardingResult {
  userId: string;
  plan: Plan;
  planRecognized: boolean;
  status: "onboarding";
  steps: string[];
  registeredAt: string;
  welcomeNotificationId: string;
}

/** Customer onboarding: pick the welcome flow for the plan and emit the welcome e-mail. */
export default defineProcessor({
  name: "user",
  detailType: "user-registered",
  schema: UserRegistered,
  emits: ["notification-sent"],
  async handle(event, ctx): Promise<OnboardingResult> {
    const user = event.detail;
    const { plan, recognized } = planOf(user.plan);
    if (!recognized)
      ctx.log.warn("unknown plan; onboarding as free", { userId: user.userId, plan: user.plan });
    const welcomeNotificationId = `welcome-${user.userId}`;
    await ctx.emit("notification-sent", {
      notificationId: welcomeNotificationId,
      recipient: user.email,
      channel: "email",
      template: "welcome",
      data: { userId: user.userId, name: user.name ?? user.email.split("@")[0], plan },
    });
    ctx.log.info("onboarding started", { userId: user.userId, plan });
    return {
      userId: user.userId,
      plan,
      planRecognized: recognized,
      status: "onboarding",
      steps: [...WELCOME_STEPS[plan]],
      registeredAt: event.time,
      welcomeNotificationId,
    };
  },
});
