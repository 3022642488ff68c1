export { default } from './worker';
