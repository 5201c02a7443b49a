/**
 * The policy pack as the Pulumi CLI runs it: `@pulumi/pulumi`'s `run-policy-pack` loads `infra/policy` (through
 * ts-node, in the pack's folder) and serves the analyzer over gRPC on 127.0.0.1; the spec plays the engine's
 * part with the analyzer's own client. What the CLI itself adds (installing, config) is not exercised here.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { POSTURE_POLICIES } from "../../../infra/policy/policies";

import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import {
  AnalyzeRequest,
  AnalyzerResourceOptions,
  type AnalyzeResponse,
  type AnalyzerInfo,
} from "@pulumi/pulumi/proto/analyzer_pb";

const PACK = join(__dirname, "..", "..", "..", "infra", "policy");

describe("policy pack: served as the Pulumi CLI runs it", function () {
  // Starting the pack compiles it with ts-node (~10 s; more when the suite shares the cores).
  this.timeout(180_000);
  let child: ChildProcess;
  let client: AnalyzerClient;

  before(async () => {
    // The first argument is the engine's address; the pack only dials it to log, which these calls never do.
    child = spawn(
      process.execPath,
      [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."],
      {
        cwd: PACK,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /^(\d+)\s*$/m.exec(out);
        if (m) resolve(m[1]);
      });
      child.on("exit", (code) => reject(new Error(`the pack exited (${code}) before serving:\n${stderr}`)));
    });
    client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });
  after(() => {
    client?.close();
    child?.kill();
  });

  const analyzerInfo = () =>
    new Promise<AnalyzerInfo>((resolve, reject) =>
      client.getAnalyzerInfo(new Empty(), (err, res) => (err ? reject(err) : resolve(res))),
    );
  const analyzeResource = (request: AnalyzeRequest) =>
    new Promise<AnalyzeResponse>((resolve, reject) =>
      client.analyze(request, (err, res) => (err ? reject(err) : resolve(res))),
    );

  it("announces every posture policy of policies.ts", async () => {
    const info = await analyzerInfo();
    expect(info.getName()).to.equal("event-backbone-posture");
    expect(info.getVersion()).to.equal("0.1.0");
    expect(info.getPoliciesList().map((p) => p.getName())).to.deep.equal(POSTURE_POLICIES.map((p) => p.name));
  });

  it("reports a violation for a bad resource, and none for a good one", async () => {
    const analyze = async (props: Record<string, unknown>) => {
      const request = new AnalyzeRequest();
      request.setType("aws:sqs/queue:Queue");
      request.setName("q");
      request.setUrn("urn:pulumi:dev::event-backbone::aws:sqs/queue:Queue::q");
      request.setProperties(Struct.fromJavaScript(props as never));
      request.setOptions(new AnalyzerResourceOptions());
      const response = await analyzeResource(request);
      return response
        .getDiagnosticsList()
        .map((d) => ({ policy: d.getPolicyname(), message: d.getMessage() }));
    };
    const bad = await analyze({ name: "q" });
    expect(bad.map((d) => d.policy)).to.deep.equal(["encrypted-queues"]);
    expect(bad[0].message).to.contain("the queue is not encrypted at rest");
    expect(await analyze({ name: "q", sqsManagedSseEnabled: true })).to.deep.equal([]);
  });
});
