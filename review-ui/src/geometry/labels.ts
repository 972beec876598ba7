// Names and colours the geometry editor shows for its items.
import type { MessageKey } from '../i18n';
import type { ItemKind } from './model';

export const KIND_LABEL: Record<ItemKind, MessageKey> = {
  stopLines: 'geo.stopLine',
  lanes: 'geo.lane',
  solidLines: 'geo.solidLine',
  signalHeads: 'geo.signalHead',
};

export const ITEM_KINDS: ItemKind[] = ['stopLines', 'lanes', 'solidLines', 'signalHeads'];

export const LAMP_FILL: Record<string, string> = { red: '#ff1744', yellow: '#ffd600', green: '#00e676' };
