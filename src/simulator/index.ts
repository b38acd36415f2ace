export type {
  AccelerationLimit,
  ConnectionResetFault,
  ErrorFault,
  Fault,
  FaultWhen,
  GarbageHeadersFault,
  Latency,
  MalformedBodyFault,
  MidStreamErrorFault,
  Phase,
  RateLimits,
  SimulatorConfig,
  SimulatorOptions,
  SlowFirstTokenFault,
  SpendLimit,
  StallFault,
} from './config';
export { DEFAULT_CONFIG, resolveConfig } from './config';
export { type ScenarioName, scenario, scenarioNames, scenarios } from './scenarios';
export { type Simulator, type StartOptions, startSimulator } from './server';
export type { AttemptRecord, SimulatorStats } from './stats';
