export { ConfigError, describeConfig, loadConfig } from './load-config.ts'
export { durationPattern, parseDuration } from './parse-duration.ts'
