/**
 * The CLI's command line and its errors: an unknown command or flag, a flag of another command, a missing value
 * or argument, an unreachable endpoint, a malformed option value: each is one line on stderr, exit code 2, no
 * stack trace, and no request is made.
 */
import { expect } from "chai";
import { commandUsage, COMMANDS, EXIT_USAGE, usage } from "../../../infra/cli";
import { freePort } from "../../support/net";
import { cli } from "./helpers";

describe("backbone CLI: command line", function () {
  let closed: string;
  before(async () => {
    closed = `http://127.0.0.1:${await freePort()}`;
  });

  const cases: { argv: string[]; says: RegExp }[] = [
    { argv: [], says: /^no command given \(commands: routes, events tail, events show, dlq list/ },
    { argv: ["dlq", "lis"], says: /^unknown command "dlq lis"/ },
    { argv: ["deploy"], says: /^unknown command "deploy"/ },
    { argv: ["routes", "--colour"], says: /^unknown option --colour/ },
    { argv: ["routes", "--ids", "1"], says: /^routes has no option --ids/ },
    { argv: ["events", "tail", "--from", "1h"], says: /^events tail has no option --from/ },
    { argv: ["dlq", "list", "--route"], says: /^option --route needs a value/ },
    { argv: ["events", "show"], says: /^events show needs ID/ },
    { argv: ["health", "extra"], says: /^health takes no argument "extra"/ },
    { argv: ["replay", "--to", "now"], says: /^replay needs --from/ },
    { argv: ["replay", "--from", "yesterday"], says: /^--from yesterday: give ISO 8601/ },
    { argv: ["replay", "--from", "now", "--to", "2h"], says: /^--from is after --to/ },
    { argv: ["routes", "--url", "ftp://x"], says: /^--url ftp:\/\/x is not an http\(s\) URL/ },
    { argv: ["routes", "--endpoint-url", "http://127.0.0.1:1"], says: /^--endpoint-url is for AWS calls/ },
    {
      argv: ["routes", "--region", "ap-southeast-2", "--endpoint-url", "notaurl"],
      says: /^--endpoint-url notaurl is not an http\(s\) URL/,
    },
    { argv: ["routes", "--region", "ap-southeast-2", "--token", "t"], says: /^--token is the local stack's/ },
    { argv: ["dlq", "redrive", "--ids", "3,,4"], says: /^--ids has an empty id/ },
    { argv: ["events", "show", "x", "--since", "2h"], says: /^--since is for AWS's logs/ },
  ];
  /** AWS flags choose the AWS target, where `--url` would be refused for its own reason. */
  const awsTarget = (argv: string[]) => argv.some((a) => ["--region", "--stack", "--outputs"].includes(a));
  for (const { argv, says } of cases) {
    it(`backbone ${argv.join(" ") || "(nothing)"}: exit 2, ${says.source.slice(1, 40)}…`, async () => {
      const { code, stdout, stderr } = await cli([
        ...(argv.includes("--url") || awsTarget(argv) ? [] : ["--url", closed]),
        ...argv,
      ]);
      expect(code).to.equal(EXIT_USAGE);
      expect(stdout).to.equal("");
      expect(stderr.split("\n")).to.have.length(2); // one line and its newline
      expect(stderr.replace(/^backbone: /, "")).to.match(says);
    });
  }

  it("says an unreachable local stack is unreachable, with how to start it (exit 2, one line)", async () => {
    for (const argv of [
      ["health"],
      ["routes"],
      ["events", "show", "x"],
      ["dlq", "redrive"],
      ["events", "tail"],
    ]) {
      const { code, stderr } = await cli([...argv, "--url", closed]);
      expect(code, argv.join(" ")).to.equal(EXIT_USAGE);
      expect(stderr).to.equal(
        `backbone: cannot reach the local stack at ${closed} (ECONNREFUSED): start it with npm start, or pass --url\n`,
      );
    }
  });

  it("takes the URL from BACKBONE_URL when --url is not given", async () => {
    const { code, stderr } = await cli(["health"], { env: { BACKBONE_URL: closed } });
    expect(code).to.equal(EXIT_USAGE);
    expect(stderr).to.contain(`at ${closed} `);
  });

  it("prints the usage with every command and flag on --help (exit 0)", async () => {
    const { code, stdout, stderr } = await cli(["--help"]);
    expect(code).to.equal(0);
    expect(stderr).to.equal("");
    expect(stdout).to.equal(usage());
    for (const text of [
      "routes",
      "events tail",
      "events show ID",
      "dlq list",
      "dlq redrive",
      "replay",
      "health",
    ]) {
      expect(stdout).to.contain(`  ${text} `);
    }
    for (const flag of [
      "--detail-type",
      "--route",
      "--ids",
      "--from",
      "--to",
      "--name",
      "--stack",
      "--outputs",
    ]) {
      expect(stdout).to.contain(flag);
    }
    expect((await cli(["dlq", "--help"])).stdout).to.equal(usage());
  });

  for (const [name, spec] of Object.entries(COMMANDS)) {
    it(`backbone ${spec.words.join(" ")} --help: that command's usage, its own flags and no other command's`, async () => {
      const { code, stdout } = await cli([...spec.words, "--help"]);

      expect(code).to.equal(0);
      expect(stdout).to.equal(commandUsage(name as keyof typeof COMMANDS));
      expect(stdout).to.contain(
        `backbone [target options] ${[...spec.words, ...spec.args].join(" ")} [options]`,
      );
      const own = Object.keys(spec.options);
      for (const flag of own) expect(stdout).to.contain(`  --${flag} `);
      const others = Object.values(COMMANDS)
        .flatMap((c) => Object.keys(c.options))
        .filter((f) => !own.includes(f));
      for (const flag of others) expect(stdout).to.not.contain(`  --${flag} `);
      expect(stdout).to.contain("  --stack ");
    });
  }

  it("refuses help on a command it does not have, and a group word alone names the group's commands (exit 2)", async () => {
    const bogus = await cli(["bogus", "--help"]);
    const group = await cli(["dlq"]);

    expect(bogus.code).to.equal(EXIT_USAGE);
    expect(bogus.stderr).to.match(/^backbone: unknown command "bogus"/);
    expect(group.code).to.equal(EXIT_USAGE);
    expect(group.stderr).to.equal("backbone: dlq needs a command: dlq list, dlq redrive\n");
  });
});
