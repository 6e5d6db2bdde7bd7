export * from './Relayer.js'
export * from './state.js'
