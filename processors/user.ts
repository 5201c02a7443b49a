import { Type } from "@sinclair/typebox";
import { defineProcessor } from "./types";

/** `user-registered`: customer onboarding. */
export const UserRegistered = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: 128 }),
    email: Type.String({ minLength: 3, maxLength: 254, pattern: "^[^@\\s]+@[^@\\s]+$" }),
    name: Type.Optional(Type.String({ maxLength: 256 })),
    plan: Type.Optional(Type.String({ maxLength: 64 })),
    signupSource: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: true },
);

export default defineProcessor({
  name: "user",
  detailType: "user-registered",
  schema: UserRegistered,
  handle() {
    throw new Error("TODO: user processor");
  },
});
