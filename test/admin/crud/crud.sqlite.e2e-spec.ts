import { crudSuite } from './crud-suite';

describe('Admin API CRUD on SQLite', () => crudSuite('sqlite'));
