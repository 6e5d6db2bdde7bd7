export * from './blockHeader.js'
export * from './Feeder.js'
