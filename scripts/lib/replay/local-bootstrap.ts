import { applyLocalFlag } from './local-endpoints';

applyLocalFlag();
