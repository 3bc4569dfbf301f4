export { type DispatchService, startDispatch } from './dispatch-service.js';
