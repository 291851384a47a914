import { MemoryRegistry, MemorySolidStateStore } from './store-memory';
import { registryComplianceSuite, storeComplianceSuite } from './store.compliance';

storeComplianceSuite('memory', () => new MemorySolidStateStore(), (s) => s);
registryComplianceSuite('memory', () => new MemoryRegistry());
