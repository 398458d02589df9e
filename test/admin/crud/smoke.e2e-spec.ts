import request from 'supertest';
import { startAdmin, testDatabase } from './harness';

test('smoke', async () => {
  const db = testDatabase('sqlite');
  const admin = await startAdmin(db.settings);
  const res = await request(admin.http).post('/services').send({ name: 'a', url: 'http://x.test/p' });
  console.log(res.status, res.text);
  const r2 = await request(admin.http).post('/services/a/routes').type('form').send('paths[]=/x&methods=GET');
  console.log(r2.status, r2.text);
  console.log((await request(admin.http).get('/services')).text);
  console.log((await request(admin.http).delete('/services/a')).text);
  console.log((await request(admin.http).put('/services')).status);
  await admin.close();
  await db.cleanup();
});
