/**
 * The `backbone` process: runs the command line with the process's streams; Ctrl-C ends `events tail` (and
 * stops watching a replay) cleanly; a second Ctrl-C exits at once.
 */
import { run } from "./run";

// The project runs on Node 20 (package.json engines); the AWS SDK's notice that its releases from 2027 on need
// Node 22 would otherwise be printed on every AWS command. Set the variable to "false" to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const controller = new AbortController();
process.once("SIGINT", () => {
  controller.abort();
  process.once("SIGINT", () => process.exit(130));
});

run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
    // Nothing else should hold the process, but an SDK's open sockets may: the answer is already written.
    setTimeout(() => process.exit(code), 100).unref();
  },
  (err) => {
    process.stderr.write(`backbone: ${String(err)}\n`);
    process.exitCode = 2;
  },
);
