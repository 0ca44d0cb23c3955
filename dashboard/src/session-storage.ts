/** The operator token lives in sessionStorage: it is gone when the browser tab closes. */
const TOKEN_KEY = "neopro.operatorToken";

export const tokenStore = {
  read: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  save: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};
