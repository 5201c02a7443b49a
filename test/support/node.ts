/** How the specs start a Node process on a TypeScript file: as mocha itself runs (./register.js, cached). */
export const TS_NODE: readonly string[] = ["-r", require.resolve("./register.js")];
