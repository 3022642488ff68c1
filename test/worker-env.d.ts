// Lets `import { exports } from 'cloudflare:workers'` know the Worker's default export.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('../src/index');
  }
}
