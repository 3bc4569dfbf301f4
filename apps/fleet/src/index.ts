export { type FleetService, startFleet } from './fleet-service.js';
