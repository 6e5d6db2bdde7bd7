/**
 * Test fixture: a process that starts anvil, prints its pid, then either exits on its own
 * (`exit`), throws (`crash`) or waits for a signal (`wait`). The anvil must not survive it.
 */
import { startAnvil } from '../anvil.js'

const [port, mode] = process.argv.slice(2)
const anvil = await startAnvil({ chainId: 31337, port: Number(port) })
process.stdout.write(`${anvil.pid}\n`)
if (mode === 'exit') setTimeout(() => process.exit(0), 50)
else if (mode === 'crash')
  setTimeout(() => {
    throw new Error('crash')
  }, 50)
else setInterval(() => {}, 1000)
