import { crudSuite } from './crud-suite';

describe('Admin API CRUD on PostgreSQL', () => crudSuite('postgres'));
