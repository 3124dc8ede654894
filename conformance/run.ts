import { runConformanceSuite } from "./harness/run-vitest.js";

// `npm run conformance [-- <vitest args>]`: the suite against Myelin unless CONFORMANCE_TARGET says otherwise.
process.exit(await runConformanceSuite(process.env.CONFORMANCE_TARGET ?? "myelin", process.argv.slice(2)));
