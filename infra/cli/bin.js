#!/usr/bin/env node
// The `backbone` bin (package.json "bin"): runs the TypeScript CLI through ts-node, transpile-only, as
// `npm start` runs the local stack (the project has no build step).
"use strict";
const { join } = require("node:path");

require("ts-node").register({ transpileOnly: true, project: join(__dirname, "..", "..", "tsconfig.json") });
require("./main.ts");
