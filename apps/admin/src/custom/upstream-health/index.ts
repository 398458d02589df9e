export { DATA_PLANE_LINK, type DataPlaneLink } from './data-plane-link';
export { UpstreamHealthModule } from './upstream-health.module';
