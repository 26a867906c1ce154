// The dial plan of the configuration contract's example (README "Dial plan"), as a DialPlan:
// a fixture for tests here and in the call manager.
import { emptyDialPlan, type DialPlan } from "./dial-plan.js";

/** Extensions (users) the example assumes: 1001-1005. */
export const EXAMPLE_EXTENSIONS: ReadonlySet<string> = new Set(["1001", "1002", "1003", "1004", "1005"]);

export function examplePlan(): DialPlan {
  const plan = emptyDialPlan();
  plan.extensions = {
    "1001": {
      callWaiting: true,
      dnd: false,
      forward: { always: null, busy: "1002", noAnswer: "1003" },
      noAnswerSeconds: 20,
      followMe: { numbers: ["1002", "913800000000"], ringSeconds: 15 },
      classOfService: "national",
      pickupGroup: "front",
      callerIdName: "Front desk",
    },
    "1004": { forward: { always: null, busy: null, noAnswer: null }, followMe: null, classOfService: "internal", pickupGroup: null, callerIdName: null },
    "1005": { forward: { always: null, busy: null, noAnswer: null }, followMe: null, classOfService: "local", pickupGroup: null, callerIdName: null },
  };
  plan.ringGroups = {
    "6000": { strategy: "simultaneous", members: ["1001", "1002"], ringSeconds: 20, memberRingSeconds: 10, noAnswer: "1003" },
    "6001": { strategy: "sequential", members: ["1003", "1001"], ringSeconds: 30, memberRingSeconds: 10, noAnswer: null },
  };
  plan.schedules = {
    office: {
      timezone: "Asia/Shanghai",
      open: [
        { days: ["mon", "tue", "wed", "thu", "fri"], from: "08:30", to: "12:00" },
        { days: ["mon", "tue", "wed", "thu", "fri"], from: "13:30", to: "17:30" },
      ],
      holidays: ["2026-10-01", "2026-10-02"],
      workdays: ["2026-10-10"],
    },
  };
  plan.numbers = {
    "12345": { schedule: "office", open: "6000", closed: "1003" },
    "8000": { destination: "6000" },
    "8001": { destination: "8000" },
    "8002": { destination: "trunk:carrier-a" },
    "8003": { destination: "trunk:carrier-a/01087654321" },
  };
  plan.blacklist = ["13900000000", "0755XXXXXXXX", "400."];
  plan.priorityCallers = [{ pattern: "1380000000X", priority: 10, label: "emergency-handset" }];
  plan.numberClasses = { local: ["NXXXXXXX"], national: ["0ZXXXXXXXX.", "1ZXXXXXXXXX"], international: ["00."] };
  plan.trunks = {
    "carrier-a": {
      host: "127.0.0.1",
      port: 5070,
      transport: "udp",
      match: ["127.0.0.1:5070"],
      register: { username: "0101234", password: "secret", expires: 300 },
      auth: { username: "0101234", password: "secret" },
      callerId: "12345",
      normalize: { countryCode: "86", nationalPrefix: "0", internationalPrefix: "00" },
    },
    "carrier-b": { host: "192.0.2.10", port: 5060, transport: "udp", match: ["192.0.2.10"], register: null, auth: null, callerId: null, normalize: null },
  };
  plan.outboundRoutes = [{ name: "national", prefix: "9", strip: 1, prepend: "", trunks: ["carrier-a", "carrier-b"] }];
  plan.inboundRoutes = [
    { trunk: "carrier-a", did: "12345", destination: "12345" },
    { trunk: "carrier-a", did: "0101234XXX", destination: "6001" },
    { trunk: "carrier-b", did: "*", destination: "8000" },
  ];
  return plan;
}
