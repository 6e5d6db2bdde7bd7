export * from './anvil.js'
export * from './clients.js'
export * from './processes.js'
export * from './startDevnet.js'
