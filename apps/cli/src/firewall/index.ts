export { renderFirewall, FIREWALL_FORMATS } from './render-firewall';
export type { FirewallFormat } from './render-firewall';
export { planFirewall, isLoopback } from './plan';
export type { FirewallRule, FirewallSection, Family } from './plan';
export { renderTproxy } from './tproxy';
export type { TproxyOptions } from './tproxy';
