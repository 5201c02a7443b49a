// Flat config: typescript-eslint's recommended rules on every TypeScript file in the project.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "bin/**", ".data/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Pulumi's closure serialization and the Lambda runtime need plain require() in places.
      "@typescript-eslint/no-require-imports": "off",
    },
  },
);
