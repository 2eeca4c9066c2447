#!/usr/bin/env node
// Interop check: node-opcua, an OPC UA stack independent of Milo, as a client of the simulator.
// NodeOpcuaInteropIT runs it; it can also be run by hand against a running simulator.
//
//   node interop.mjs init --pki DIR --server-cert FILE.der
//       Creates the client's application instance certificate in DIR (node-opcua's PKI layout),
//       trusts the server certificate FILE.der there, and prints
//       {"ok":true,"mode":"init","certificate":"<PEM path>","applicationUri":"..."}.
//       The caller must make the server trust that certificate before "run".
//   node interop.mjs run --pki DIR --endpoint opc.tcp://HOST:PORT/PATH [--timeout-ms 60000]
//       Connects over Basic256Sha256/SignAndEncrypt as the anonymous user, browses, reads,
//       subscribes and calls the order methods; prints one JSON line with what it saw.
//
// stdout carries exactly one JSON line; node-opcua's own logging goes to stderr.
// Exit codes: 0 ok, 1 a check or an OPC UA call failed, 2 bad usage, 3 overall timeout.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

// node-opcua logs through console.log; keep stdout for the result line alone.
console.log = console.error;
console.info = console.error;
console.warn = console.error;
console.debug = console.error;

const NAMESPACE_URI = "urn:ketenlink:simulator:fieldlab";
// Must equal the URI in the certificate's subjectAltName: Milo rejects a CreateSession whose
// ClientDescription.applicationUri differs from it.
const APPLICATION_URI = "urn:ketenlink:interop:node-opcua";
const APPLICATION_NAME = "Ketenlink node-opcua interop";
const CERTIFICATE_FILE = path.join("own", "certs", "client_certificate.pem");

const started = Date.now();
let step = "start";

function emit(result) {
  process.stdout.write(JSON.stringify(result) + "\n");
}

function fail(message, code = 1) {
  emit({ ok: false, step, error: message, elapsedMs: Date.now() - started });
  console.error(`interop: FAILED in step '${step}': ${message}`);
  process.exit(code);
}

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      pki: { type: "string" },
      endpoint: { type: "string" },
      "server-cert": { type: "string" },
      "timeout-ms": { type: "string", default: "60000" },
    },
  });
} catch (e) {
  fail(e.message, 2);
}
const mode = args.positionals[0];
const pkiDir = args.values.pki && path.resolve(args.values.pki);
const timeoutMs = Number(args.values["timeout-ms"]);
if (!["init", "run"].includes(mode) || !pkiDir || !(timeoutMs > 0)) {
  fail("usage: interop.mjs init --pki DIR --server-cert FILE | run --pki DIR --endpoint URL", 2);
}

// A hung handshake or a subscription that never publishes must not hang the Maven build.
const watchdog = setTimeout(() => fail(`no result within ${timeoutMs} ms`, 3), timeoutMs);

// Imported after console is redirected: node-opcua logs while its modules load.
const { OPCUACertificateManager } = await import("node-opcua-certificate-manager");
const opcua = await import("node-opcua-client");
const {
  AttributeIds,
  BrowseDirection,
  ClientMonitoredItem,
  ClientSubscription,
  DataType,
  MessageSecurityMode,
  NodeClass,
  OPCUAClient,
  SecurityPolicy,
  StatusCodes,
  TimestampsToReturn,
  VariableIds,
} = opcua;

function certificateManager() {
  // Strict on purpose: node-opcua's default client PKI (in ~/.config) accepts any server
  // certificate on first sight. Here only what "init" put into trusted/ is accepted.
  return new OPCUACertificateManager({
    rootFolder: pkiDir,
    automaticallyAcceptUnknownCertificate: false,
    disableFileWatchers: true,
  });
}

async function init() {
  const serverCert = args.values["server-cert"];
  check(serverCert, "init needs --server-cert FILE (the server certificate, DER)");
  const cm = certificateManager();
  step = "init-pki";
  await cm.initialize();
  const certificate = path.join(cm.rootDir, CERTIFICATE_FILE);
  if (!fs.existsSync(certificate)) {
    step = "create-certificate";
    await cm.createSelfSignedCertificate({
      applicationUri: APPLICATION_URI,
      subject: `/CN=${APPLICATION_NAME}/O=Ketenlink tests`,
      dns: [os.hostname(), "localhost"],
      ip: ["127.0.0.1"],
      startDate: new Date(Date.now() - 60_000),
      validity: 30,
      outputFile: certificate,
    });
  }
  step = "trust-server-certificate";
  await cm.trustCertificate(fs.readFileSync(serverCert));
  await cm.dispose();
  return { ok: true, mode: "init", certificate, applicationUri: APPLICATION_URI };
}

function browseDescription(nodeId) {
  return {
    nodeId,
    browseDirection: BrowseDirection.Forward,
    referenceTypeId: "HierarchicalReferences",
    includeSubtypes: true,
    nodeClassMask: 0,
    resultMask: 63,
  };
}

async function browse(session, nodeId) {
  const result = await session.browse(browseDescription(nodeId));
  check(result.statusCode.isGood(), `browse ${nodeId}: ${result.statusCode.toString()}`);
  return result.references ?? [];
}

async function readGood(session, nodeId) {
  const dv = await session.read({ nodeId, attributeId: AttributeIds.Value });
  check(dv.statusCode.isGood(), `read ${nodeId}: ${dv.statusCode.toString()}`);
  return dv.value.value;
}

async function run() {
  const endpoint = args.values.endpoint;
  check(endpoint, "run needs --endpoint URL");
  const cm = certificateManager();
  const client = OPCUAClient.create({
    applicationName: APPLICATION_NAME,
    applicationUri: APPLICATION_URI,
    clientCertificateManager: cm,
    securityMode: MessageSecurityMode.SignAndEncrypt,
    securityPolicy: SecurityPolicy.Basic256Sha256,
    endpointMustExist: true,
    requestedSessionTimeout: 60_000,
    // Fail fast: the simulator is already listening, so a refused connection is a real error.
    connectionStrategy: { maxRetry: 1, initialDelay: 500, maxDelay: 1000 },
  });
  const result = { ok: false, mode: "run", endpoint };
  step = "connect";
  await client.connect(endpoint);
  let session;
  try {
    step = "create-session";
    session = await client.createSession(); // no user identity: anonymous
    result.securityPolicy = "Basic256Sha256";
    result.securityMode = "SignAndEncrypt";

    step = "namespace-array";
    const namespaces = await readGood(session, `ns=0;i=${VariableIds.Server_NamespaceArray}`);
    const ns = namespaces.indexOf(NAMESPACE_URI);
    check(ns > 0, `namespace ${NAMESPACE_URI} not in the namespace array ${JSON.stringify(namespaces)}`);
    result.namespaceIndex = ns;
    const id = (p) => `ns=${ns};s=${p}`;

    step = "browse";
    const objects = await browse(session, "ns=0;i=85");
    const line = objects.find((r) => r.browseName.name === "line1");
    check(line, `Objects has no line1 (has ${objects.map((r) => r.browseName.name).join(", ")})`);
    check(
      line.nodeId.toString() === id("line1"),
      `line1 has NodeId ${line.nodeId.toString()}, expected ${id("line1")}`,
    );
    const machines = await browse(session, line.nodeId);
    result.machines = machines.map((r) => r.browseName.name);
    const cnc1 = machines.find((r) => r.browseName.name === "cnc1");
    check(cnc1, `line1 has no cnc1 (has ${result.machines.join(", ")})`);
    result.cnc1Children = (await browse(session, cnc1.nodeId)).map((r) => r.browseName.name);
    const expected = ["Identification", "State", "Monitoring", "Production", "Alarms", "Orders"];
    const missing = expected.filter((n) => !result.cnc1Children.includes(n));
    check(missing.length === 0, `cnc1 lacks ${missing.join(", ")} (has ${result.cnc1Children})`);
    result.orderMethods = (await browse(session, id("line1/pack1/Orders")))
      .filter((r) => r.nodeClass === NodeClass.Method)
      .map((r) => r.browseName.name);

    step = "read";
    result.manufacturer = await readGood(session, id("line1/cnc1/Identification/Manufacturer"));
    check(typeof result.manufacturer === "string", "Manufacturer is not a String");
    result.spindleSpeed = await readGood(session, id("line1/cnc1/Monitoring/SpindleSpeed"));
    check(Number.isFinite(result.spindleSpeed), "SpindleSpeed is not a number");

    step = "subscribe";
    result.goodCountValues = await collectChanges(session, id("line1/pack1/Production/GoodCount"), 3);

    step = "call-methods";
    const orders = id("line1/pack1/Orders");
    const orderId = `NODE-${Date.now().toString(36)}-${process.pid}`;
    result.orderId = orderId;
    const due = new Date(Date.now() + 2 * 24 * 3600 * 1000);
    const text = (value) => ({ dataType: DataType.String, value });
    await callGood(session, orders, "StoreOrder", [
      text(orderId),
      text("INTEROP"),
      text("node-opcua-tray"),
      { dataType: DataType.UInt32, value: 25 },
      { dataType: DataType.DateTime, value: due },
    ]);
    await callGood(session, orders, "StartOrder", [text(orderId)]);
    result.orderState = await readGood(session, id(`line1/pack1/Orders/${orderId}/State`));
    check(
      ["AllowedToStart", "Running"].includes(result.orderState),
      `order ${orderId} is ${result.orderState} after StartOrder`,
    );
    const unknown = await session.call({
      objectId: orders,
      methodId: `${orders}/StartOrder`,
      inputArguments: [text(`${orderId}-UNKNOWN`)],
    });
    result.unknownOrderStatus = unknown.statusCode.name;
    check(
      unknown.statusCode.equals(StatusCodes.BadNotFound),
      `StartOrder with an unknown id answered ${unknown.statusCode.toString()}, expected BadNotFound`,
    );

    step = "close";
    await session.close();
    session = undefined;
  } finally {
    if (session) {
      await session.close().catch(() => {});
    }
    await client.disconnect();
  }
  result.ok = true;
  return result;
}

async function callGood(session, objectId, method, inputArguments) {
  const r = await session.call({ objectId, methodId: `${objectId}/${method}`, inputArguments });
  check(r.statusCode.isGood(), `${method} answered ${r.statusCode.toString()}`);
}

/** Resolves with the first {@code count} values the server publishes for {@code nodeId}. */
async function collectChanges(session, nodeId, count) {
  const subscription = ClientSubscription.create(session, {
    requestedPublishingInterval: 100,
    requestedLifetimeCount: 600,
    requestedMaxKeepAliveCount: 20,
    maxNotificationsPerPublish: 100,
    publishingEnabled: true,
    priority: 10,
  });
  try {
    const item = ClientMonitoredItem.create(
      subscription,
      { nodeId, attributeId: AttributeIds.Value },
      { samplingInterval: 100, queueSize: 10, discardOldest: true },
      TimestampsToReturn.Both,
    );
    const values = [];
    await new Promise((resolve, reject) => {
      const limit = setTimeout(
        () => reject(new Error(`only ${values.length} of ${count} data changes of ${nodeId} in 20 s`)),
        20_000,
      );
      item.on("err", (message) => reject(new Error(`monitoring ${nodeId}: ${message}`)));
      item.on("changed", (dv) => {
        if (!dv.statusCode.isGood()) {
          clearTimeout(limit);
          reject(new Error(`data change of ${nodeId} with status ${dv.statusCode.toString()}`));
          return;
        }
        values.push(dv.value.value);
        if (values.length >= count) {
          clearTimeout(limit);
          resolve();
        }
      });
    });
    check(values.every(Number.isInteger), `GoodCount values are not integers: ${values}`);
    check(values.at(-1) > values[0], `GoodCount did not increase: ${values}`);
    return values;
  } finally {
    await subscription.terminate().catch(() => {});
  }
}

try {
  const result = mode === "init" ? await init() : await run();
  clearTimeout(watchdog);
  result.elapsedMs = Date.now() - started;
  emit(result);
  process.exit(0);
} catch (e) {
  fail(e?.message ?? String(e));
}
