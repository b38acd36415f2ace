// The same plan with no telemetry at all: the baseline a traced app must match.
const Anthropic = require('@anthropic-ai/sdk');
const { runPlan } = require('./plan.cjs');

runPlan(Anthropic.default, process.env.PLAN, process.env.SIM_URL).then((results) => {
  process.stdout.write(`${JSON.stringify(results)}\n`);
});
