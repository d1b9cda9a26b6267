/**
 * Puts the page back as a test found it: the address bar on `/`, Web Storage
 * empty, no iframe or `<base>` left behind. Runs after every test
 * (setup-jest.ts), so that specs do not each repeat it.
 */
export function resetPage(): void {
  window.history.replaceState(null, '', '/');
  sessionStorage.clear();
  localStorage.clear();
  document.querySelectorAll('iframe, base').forEach((element) => element.remove());
}
