describe('fengari', () => {
  it('is loaded on first use, not by importing the plugins', () => {
    let loaded = false;
    jest.isolateModules(() => {
      jest.doMock('fengari', () => {
        loaded = true;
        return jest.requireActual('fengari');
      });
      require('../index');
      expect(loaded).toBe(false);
      const { lua, toLua, fromLua } = require('./fengari');
      expect(loaded).toBe(true);
      expect(typeof lua.lua_gettop).toBe('function');
      expect(fromLua(toLua('ok'))).toBe('ok');
    });
  });
});
