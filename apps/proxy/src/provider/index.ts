export type { ConfigProvider, SnapshotListener } from './types';
export { StaticConfigProvider, toVersioned } from './static-provider';
export { IpcConfigProvider, type IpcChannel } from './ipc-provider';
