/** An object that forwards every read to `current()`, which beforeAll fills in. */
export function standIn<T extends object>(name: string, current: () => T | undefined): T {
  const real = (): T => {
    const value = current();
    if (value === undefined) throw new Error(`${name} is used outside the tests (before beforeAll made it, or after afterAll)`);
    return value;
  };
  return new Proxy({} as T, {
    get: (_target, key) => {
      const value = real();
      const property = Reflect.get(value, key, value);
      return typeof property === "function" ? property.bind(value) : property;
    },
    set: (_target, key, value) => Reflect.set(real(), key, value),
    has: (_target, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      // A proxy may only report an own property as configurable when its target lacks it.
      return descriptor ? { ...descriptor, configurable: true } : undefined;
    },
  });
}
