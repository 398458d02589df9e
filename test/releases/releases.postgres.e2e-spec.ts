import { releasesSuite } from './releases-suite';

describe('config releases on PostgreSQL', () => releasesSuite('postgres'));
