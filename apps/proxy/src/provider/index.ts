export type { ConfigProvider, SnapshotListener } from './types';
export { StaticConfigProvider, toVersioned } from './static-provider';
export { IpcConfigProvider, isSnapshotMessage, type IpcChannel, type SnapshotMessage } from './ipc-provider';
