import { releasesSuite } from './releases-suite';

describe('config releases on SQLite', () => releasesSuite('sqlite'));
