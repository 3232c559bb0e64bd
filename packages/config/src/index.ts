export { ConfigError, describeConfig, loadConfig } from './load-config.ts'
export { durationPattern, parseDuration } from './parse-duration.ts'
export { consumerGroupEnv, durationListPattern, durationVar, sharedServiceEnv } from './service-env.ts'
