// An ESM app: it imports the SDK as ESM (a separate class object from the CommonJS build).
import { createRequire } from 'node:module';
import Anthropic from '@anthropic-ai/sdk';

const { runPlan } = createRequire(import.meta.url)('./plan.cjs');
const results = await runPlan(Anthropic, process.env.PLAN, process.env.SIM_URL);
process.stdout.write(`${JSON.stringify(results)}\n`);
await globalThis.__otelSdk?.shutdown().catch(() => undefined);
